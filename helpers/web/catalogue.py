"""The data the course API serves: real satellites, their typed models, filtering and pagination."""
import threading
from typing import Literal, Optional
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

Orbit = Literal["LEO", "MEO", "GEO", "HEO", "L2"]
Purpose = Literal["station", "science", "earth", "weather", "navigation", "communications"]

# (NORAD catalogue number, name, operator, orbit, year launched, purpose). L2 is the Sun-Earth Lagrange
# point 1.5 million km out; the rest circle the Earth: LEO below 2,000 km, MEO up to GEO's 35,786 km,
# HEO long ellipses.
SATELLITES = [
    (5, "Vanguard 1", "US Navy", "MEO", 1958, "science"),
    (20580, "Hubble Space Telescope", "NASA", "LEO", 1990, "science"),
    (25544, "International Space Station", "NASA/Roscosmos/ESA/JAXA/CSA", "LEO", 1998, "station"),
    (25867, "Chandra X-ray Observatory", "NASA", "HEO", 1999, "science"),
    (25994, "Terra", "NASA", "LEO", 1999, "earth"),
    (26824, "Intelsat 901", "Intelsat", "GEO", 2001, "communications"),
    (27424, "Aqua", "NASA", "LEO", 2002, "earth"),
    (28485, "Swift", "NASA", "LEO", 2004, "science"),
    (33053, "Fermi", "NASA", "LEO", 2008, "science"),
    (33591, "NOAA 19", "NOAA", "LEO", 2009, "weather"),
    (36585, "GPS IIF-1", "US Space Force", "MEO", 2010, "navigation"),
    (37846, "Galileo IOV-1", "ESA", "MEO", 2011, "navigation"),
    (37849, "Suomi NPP", "NOAA/NASA", "LEO", 2011, "weather"),
    (39084, "Landsat 8", "USGS/NASA", "LEO", 2013, "earth"),
    (39479, "Gaia", "ESA", "L2", 2013, "science"),
    (39634, "Sentinel-1A", "ESA", "LEO", 2014, "earth"),
    (40697, "Sentinel-2A", "ESA", "LEO", 2015, "earth"),
    (40732, "Meteosat-11", "EUMETSAT", "GEO", 2015, "weather"),
    (41240, "Jason-3", "NOAA/EUMETSAT", "LEO", 2016, "earth"),
    (41836, "Himawari-9", "JMA", "GEO", 2016, "weather"),
    (41866, "GOES-16", "NOAA", "GEO", 2016, "weather"),
    (41917, "Iridium 106", "Iridium", "LEO", 2017, "communications"),
    (42063, "Sentinel-2B", "ESA", "LEO", 2017, "earth"),
    (42740, "ViaSat-2", "Viasat", "GEO", 2017, "communications"),
    (42915, "TDRS-13", "NASA", "GEO", 2017, "communications"),
    (43013, "NOAA 20", "NOAA", "LEO", 2017, "weather"),
    (43435, "TESS", "NASA", "HEO", 2018, "science"),
    (43613, "ICESat-2", "NASA", "LEO", 2018, "earth"),
    (44057, "OneWeb-0012", "Eutelsat OneWeb", "LEO", 2019, "communications"),
    (44713, "Starlink-1007", "SpaceX", "LEO", 2019, "communications"),
    (48274, "Tianhe", "CMSA", "LEO", 2021, "station"),
    (49260, "Landsat 9", "USGS/NASA", "LEO", 2021, "earth"),
    (50463, "James Webb Space Telescope", "NASA/ESA/CSA", "L2", 2021, "science"),
    (51850, "GOES-18", "NOAA", "GEO", 2022, "weather"),
]
FIELDS = ("id", "name", "operator", "orbit", "launched", "purpose")


class NewSatellite(BaseModel):
    """What a client sends to add a satellite (POST): every field checked, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "CubeSat One", "operator": "a school", "orbit": "LEO", "launched": 2026, "purpose": "science"}]})
    name: str = Field(min_length=1, max_length=80)
    operator: str = Field(min_length=1, max_length=80)
    orbit: Orbit
    launched: int = Field(ge=1957, le=2100, description="year of launch (Sputnik flew in 1957)")
    purpose: Purpose


class Satellite(NewSatellite):
    """One satellite as the API returns it."""

    id: int = Field(description="NORAD catalogue number")


class Query(BaseModel):
    """The list endpoint's query parameters: filters and the page wanted."""

    orbit: Optional[Orbit] = None
    purpose: Optional[Purpose] = None
    page: int = Field(1, ge=1)
    per_page: int = Field(10, ge=1, le=50)


class Page(BaseModel):
    """One page of results, with links to its neighbours (None at either end)."""

    items: list[Satellite]
    page: int
    per_page: int
    total: int
    links: dict[str, Optional[str]]


class Catalogue:
    """The satellites one server knows; safe to read and add to from many threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items = {row[0]: Satellite(**dict(zip(FIELDS, row))) for row in SATELLITES}

    def page(self, query, path="/v1/satellites"):
        """The page of satellites query asks for, as a Page."""
        with self._lock:
            found = [s for s in self._items.values()
                     if query.orbit in (None, s.orbit) and query.purpose in (None, s.purpose)]
        start = (query.page - 1) * query.per_page
        last = max(1, -(-len(found) // query.per_page))

        def link(number):
            params = {k: v for k, v in query.model_dump().items() if v is not None}
            return f"{path}?{urlencode(dict(params, page=number))}" if 1 <= number <= last else None

        return Page(items=found[start:start + query.per_page], page=query.page, per_page=query.per_page,
                    total=len(found), links={"self": link(query.page), "next": link(query.page + 1),
                                             "prev": link(query.page - 1)})

    def published(self):
        """The satellites the public web page lists: the catalogue as shipped (what keys add is served only to keys)."""
        with self._lock:
            return [self._items[row[0]] for row in SATELLITES]

    def get(self, number):
        """The satellite with this catalogue number, or None."""
        with self._lock:
            return self._items.get(number)

    def add(self, new):
        """Add a NewSatellite under the next free number and return it as a Satellite."""
        with self._lock:
            number = max(self._items) + 1
            self._items[number] = Satellite(id=number, **new.model_dump())
            return self._items[number]
