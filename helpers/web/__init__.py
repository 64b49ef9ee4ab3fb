"""Web APIs (notebook 10): one satellite API on http.server, Flask and FastAPI, with keys and rate limits."""
from helpers.web.catalogue import Catalogue, NewSatellite, Page, Query, Satellite
from helpers.web.keys import HEADER, Keys
from helpers.web.servers import FastApiServer, FlaskServer, StdlibServer, api_server

__all__ = ["Catalogue", "FastApiServer", "FlaskServer", "HEADER", "Keys", "NewSatellite", "Page", "Query",
           "Satellite", "StdlibServer", "api_server"]
