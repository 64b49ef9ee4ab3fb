"""A ground station's feed: a TCP server that sends observations as JSON lines, some of them malformed on purpose."""
import json

from helpers.core.client import ask
from helpers.servers.tcp import TcpServer


def good(**changes):
    """One observation as a JSON-ready dict (time as ISO text, payload as base64), with changes applied."""
    record = {"id": 25544, "name": "ISS (ZARYA)", "time": "2026-03-14T09:26:53.589793Z",
              "position": [4123.456789, -2711.25, 4706.0625], "tags": ["crewed", "LEO"], "payload": "AP8QpcN/"}
    record.update(changes)
    return record


def without(field):
    """A good record with one field left out."""
    record = good()
    del record[field]
    return record


# what the feed sends, line by line: good records, and after each bad one, more good ones
FEED = [
    good(),
    good(id=20580, name="HUBBLE", time="2026-03-14T09:31:07Z", position=[-5630.1, 2480.75, 3391.0], tags=["science"]),
    without("time"),                                                           # a missing field
    good(id=28654, name="NOAA 19", position=[1021.5, "north", 6903.25]),       # a string where a number belongs
    good(id=250000, name="NO SUCH SATELLITE"),                                 # out of range: catalogue numbers are 1-99999
    good(id=27424, name="AQUA", time="2026-03-14T10:02:44.5+00:00", tags=[]),
    '{"id": 25994, "name": "TERRA", "time": "2026-03-14T10:',                  # a line cut short: not JSON at all
    good(id=49260, name="LANDSAT 9", payload=""),
]
LINES = [(r if isinstance(r, str) else json.dumps(r)).encode() + b"\n" for r in FEED]


def send_feed(conn, service):
    """Send every line of the feed to one client, then close."""
    data = b"".join(service.lines)
    conn.sendall(data)
    service.stats.message(0, len(data))


class ObservationFeed(TcpServer):
    """A TCP server on 127.0.0.1 that sends each client the feed's JSON lines (some malformed) and closes."""

    def __init__(self, name="observation-feed", port=0, lines=LINES):
        super().__init__(name, send_feed, port=port)
        self.lines = list(lines)


def read_feed(address, timeout=5.0):
    """Connect, read every line the feed sends until it closes; the lines as bytes (ServiceError on failure)."""
    return ask(address, b"", timeout=timeout).splitlines()
