"""The web API servers `python -m helpers serve NAME` can start."""
from helpers.web.servers import FastApiServer, FlaskServer, StdlibServer

SERVERS = {
    "api-stdlib": (StdlibServer, "the satellite JSON API on http.server (prints a key to use)"),
    "api-flask": (FlaskServer, "the satellite JSON API on Flask (prints a key to use)"),
    "api-fastapi": (FastApiServer, "the satellite JSON API on FastAPI + uvicorn, docs at /docs (prints a key)"),
}
