"""The records notebook 11 encodes: one fixed observation, and four shapes of made-up records with their schemas."""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# the one record every format encodes (the ISS, seen from the ground)
OBSERVATION = {
    "id": 25544,
    "name": "ISS (ZARYA)",
    "time": datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=timezone.utc),
    "position": [4123.456789, -2711.25, 4706.0625],
    "tags": ["crewed", "LEO", "visible"],
    "payload": b"\x00\xff\x10\xa5\xc3\x7f",
}

TIME = {"type": "long", "logicalType": "timestamp-micros"}  # Avro: microseconds since 1970, read back as a datetime
STRINGS = {"type": "array", "items": "string"}
DOUBLES = {"type": "array", "items": "double"}

OBSERVATION_AVRO = {
    "type": "record", "name": "Observation", "namespace": "dis.serialization",
    "fields": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"}, {"name": "time", "type": TIME},
               {"name": "position", "type": DOUBLES}, {"name": "tags", "type": STRINGS},
               {"name": "payload", "type": "bytes"}],
}
PASS_AVRO = {
    "type": "record", "name": "Pass", "namespace": "dis.serialization",
    "fields": [
        {"name": "satellite", "type": {"type": "record", "name": "Satellite", "fields": [
            {"name": "id", "type": "long"}, {"name": "name", "type": "string"}, {"name": "owner", "type": "string"}]}},
        {"name": "station", "type": {"type": "record", "name": "Station", "fields": [
            {"name": "name", "type": "string"}, {"name": "latitude", "type": "double"},
            {"name": "longitude", "type": "double"}]}},
        {"name": "points", "type": {"type": "array", "items": {"type": "record", "name": "Point", "fields": [
            {"name": "time", "type": TIME}, {"name": "azimuth", "type": "double"},
            {"name": "elevation", "type": "double"}, {"name": "range_km", "type": "double"}]}}},
    ],
}
TELEMETRY_AVRO = {
    "type": "record", "name": "Telemetry", "namespace": "dis.serialization",
    "fields": [{"name": "id", "type": "long"}, {"name": "time", "type": TIME}, {"name": "samples", "type": DOUBLES},
               {"name": "counts", "type": {"type": "array", "items": "long"}}],
}
BULLETIN_AVRO = {
    "type": "record", "name": "Bulletin", "namespace": "dis.serialization",
    "fields": [{"name": "id", "type": "long"}, {"name": "time", "type": TIME}, {"name": "title", "type": "string"},
               {"name": "body", "type": "string"}, {"name": "tags", "type": STRINGS}],
}

START = datetime(2026, 3, 14, tzinfo=timezone.utc)
NAMES = ["ISS (ZARYA)", "HUBBLE", "NOAA 19", "TERRA", "AQUA", "SENTINEL-2A", "LANDSAT 9", "GOES 18", "TIANGONG"]
OWNERS = ["NASA", "ESA", "NOAA", "USGS", "CNSA", "JAXA"]
STATIONS = [("Svalbard", 78.2298, 15.4078), ("Kiruna", 67.8571, 20.9644), ("Wallops", 37.9402, -75.4664),
            ("Canberra", -35.4014, 148.9817), ("Kourou", 5.2360, -52.7686)]
TAGS = ["crewed", "LEO", "GEO", "visible", "eclipsed", "weather", "science", "debris-watch", "manoeuvre"]
WORDS = ("the orbit was raised by a short burn and the new elements are published below; ground stations at "
         "Kiruna and Svalbard will track the next pass. Attitude control is nominal, the star tracker reports "
         "no faults, and the solar arrays deliver 4.2 kW at 28 °C. Expect a brief loss of signal near the South "
         "Atlantic Anomaly, where the detector counts rise sharply. Operators should avoid commanding during the "
         "eclipse; the Ångström-band spectrometer will be recalibrated at 12:00 UTC − a routine step").split()


def observation(n, rng):
    """A made-up observation like OBSERVATION (the flat shape)."""
    return {"id": 10000 + n, "name": rng.choice(NAMES), "time": START + timedelta(seconds=n, microseconds=rng.randrange(10**6)),
            "position": [rng.uniform(-7000, 7000) for _ in range(3)], "tags": rng.sample(TAGS, rng.randint(1, 3)),
            "payload": rng.randbytes(8)}


def satellite_pass(n, rng):
    """A made-up pass over a ground station: records inside records (the nested shape)."""
    name, lat, lon = rng.choice(STATIONS)
    begin = START + timedelta(minutes=n)
    points = [{"time": begin + timedelta(seconds=30 * k), "azimuth": rng.uniform(0, 360),
               "elevation": rng.uniform(0, 90), "range_km": rng.uniform(400, 2500)} for k in range(4)]
    return {"satellite": {"id": 20000 + n, "name": rng.choice(NAMES), "owner": rng.choice(OWNERS)},
            "station": {"name": name, "latitude": lat, "longitude": lon}, "points": points}


def telemetry(n, rng):
    """A made-up block of 48 readings and 16 counters (the numeric-heavy shape)."""
    return {"id": 30000 + n, "time": START + timedelta(seconds=10 * n),
            "samples": [rng.gauss(0, 50) for _ in range(48)], "counts": [rng.randrange(100_000) for _ in range(16)]}


def bulletin(n, rng):
    """A made-up notice of about 70 words, some of them not ASCII (the text-heavy shape)."""
    words = rng.sample(WORDS, 70)
    return {"id": 40000 + n, "time": START + timedelta(hours=n), "title": " ".join(words[:6]).capitalize(),
            "body": " ".join(words), "tags": rng.sample(TAGS, 4)}


@dataclass(frozen=True)
class Shape:
    """A record shape: its protobuf message, its Avro schema and a maker of example records."""

    name: str
    message: str
    avro: dict
    make: object

    def records(self, count, seed=11):
        """count made-up records of this shape (the same ones for the same seed)."""
        rng = random.Random(seed)
        return [self.make(n, rng) for n in range(count)]


SHAPES = {
    "flat": Shape("flat", "Observation", OBSERVATION_AVRO, observation),
    "nested": Shape("nested", "Pass", PASS_AVRO, satellite_pass),
    "numeric-heavy": Shape("numeric-heavy", "Telemetry", TELEMETRY_AVRO, telemetry),
    "text-heavy": Shape("text-heavy", "Bulletin", BULLETIN_AVRO, bulletin),
}
