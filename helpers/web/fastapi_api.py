"""The satellite API on FastAPI: typed models, validation (422 naming the field) and OpenAPI for free."""
import asyncio
import html
from pathlib import Path
from typing import Annotated, Optional

import fastapi_offline
from fastapi import Depends, FastAPI, HTTPException, Query as QueryParams
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from helpers.web.api import DRAIN, MAX_BODY, not_found, too_big
from helpers.web.catalogue import NewSatellite, Page, Query, Satellite
from helpers.web.keys import HEADER

# Swagger UI's script and style, shipped in a wheel, so the docs page needs no CDN (and works offline)
SWAGGER = Path(fastapi_offline.__file__).parent / "static"


class Problem(BaseModel):
    """What every error answer holds: one line saying what went wrong."""

    detail: str


RETRY_AFTER = {"Retry-After": {"description": "whole seconds to wait", "schema": {"type": "integer"}}}
KEYED = {401: {"model": Problem, "description": "no key, or one the server does not know"},
         429: {"model": Problem, "description": "over this key's rate limit", "headers": RETRY_AFTER}}
DESCRIPTION = ("The course's satellite catalogue. Every /v1 and /v2 call needs a key in the X-API-Key header: "
               "press Authorize. From a terminal, use the server's own address (`server.url` in the notebook): "
               "this page's address goes through Jupyter's proxy, which asks for Jupyter's token.")


def fastapi_app(api, stats):
    """A FastAPI app serving api (an Api), counting requests in stats."""
    app = FastAPI(title="Satellites", version="1.0.0", docs_url=None, redoc_url=None,
                  description=DESCRIPTION,
                  servers=[{"url": ".", "description": "where this page was loaded from (also through a proxy)"}])
    key_header = APIKeyHeader(name=HEADER, auto_error=False)

    def needs(scope):
        async def check(key: Annotated[Optional[str], Depends(key_header)]):
            refusal = api.keys.check(key, scope)
            if refusal:
                raise HTTPException(refusal.status, refusal.detail, refusal.headers)
        return Depends(check)

    @app.get("/v1/satellites", tags=["satellites"], dependencies=[needs("read")], responses=KEYED)
    async def list_satellites(query: Annotated[Query, QueryParams()]) -> Page:
        """Satellites, filtered by orbit and purpose, one page at a time."""
        return api.catalogue.page(query)

    @app.get("/v1/satellites/{number}", tags=["satellites"], dependencies=[needs("read")],
             responses={**KEYED, 404: {"model": Problem, "description": "no such satellite"}})
    async def get_satellite(number: int) -> Satellite:
        """One satellite by its NORAD catalogue number."""
        found = api.catalogue.get(number)
        if found is None:
            raise HTTPException(404, not_found(number))
        return found

    @app.post("/v1/satellites", tags=["satellites"], dependencies=[needs("write")], status_code=201,
              responses={**KEYED, 403: {"model": Problem, "description": "this key may only read"},
                         413: {"model": Problem, "description": "a body over 64 KiB"}})
    async def add_satellite(new: NewSatellite) -> Satellite:
        """Add a satellite (needs a key with the 'write' scope)."""
        return api.catalogue.add(new)

    @app.get("/v2/satellites", tags=["satellites"], dependencies=[needs("read")], responses=KEYED)
    async def list_satellites_v2(query: Annotated[Query, QueryParams()]) -> dict:
        """Version 2 renames one field, launched -> launch_year; /v1 keeps its shape for old clients."""
        page = api.catalogue.page(query, path="/v2/satellites").model_dump()
        page["items"] = [{**{k: v for k, v in s.items() if k != "launched"}, "launch_year": s["launched"]}
                         for s in page["items"]]
        return page

    @app.get("/demo/flaky/{token}", tags=["demo"])
    async def flaky(token: str, fail: int = 2, status: int = 503):
        """Fails `fail` times for each token (with `status`: 503, or 429 with Retry-After 1), then succeeds."""
        failing, calls = api.flaky(token, fail)
        if failing:
            headers = {"Retry-After": "1"} if status == 429 else {}
            return JSONResponse({"detail": f"failing on purpose (call {calls} of {fail})"}, status, headers)
        return {"calls": calls}

    @app.get("/demo/slow", tags=["demo"])
    async def slow(ms: Annotated[int, QueryParams(ge=0, le=2000)] = 50):
        """Answers after `ms` milliseconds, like an API that waits on a database or a far-away server."""
        await asyncio.sleep(ms / 1000)
        return {"waited_ms": ms}

    @app.get("/satellites.html", response_class=HTMLResponse, include_in_schema=False)
    async def web_page():
        """The published catalogue as a page for human eyes (what a scraper reads); open to all, like a website."""
        return page_html(api.catalogue.published(), api.layout)

    @app.get("/docs", include_in_schema=False)
    async def docs():
        # relative URLs: the page works at /docs and at /proxy/<port>/docs alike
        return get_swagger_ui_html(openapi_url="openapi.json", title="Satellites API",
                                   swagger_js_url="static/swagger-ui-bundle.js", swagger_css_url="static/swagger-ui.css",
                                   swagger_favicon_url="static/favicon.png")

    app.mount("/static", StaticFiles(directory=SWAGGER), name="static")

    app.add_middleware(BodyLimit, stats=stats)
    return app


class BodyLimit:
    """ASGI middleware: count each request; a body over MAX_BODY gets 413 (read and dropped, never kept)."""

    def __init__(self, app, stats):
        self.app, self.stats = app, stats

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.stats.add(messages=1)
        size = dict(scope["headers"]).get(b"content-length", b"")
        if not (size.isdigit() and int(size) > MAX_BODY):
            return await self.app(scope, receive, send)
        left = min(int(size), DRAIN)  # read it all (up to DRAIN), so the client can read the answer
        while left > 0:
            message = await receive()
            left -= len(message.get("body", b""))
            if not message.get("more_body"):
                break
        refusal = JSONResponse({"detail": too_big(int(size))}, 413, {"Connection": "close"})
        await refusal(scope, receive, send)


def page_html(satellites, layout):
    """An HTML table of satellites in layout 1, or the 'redesigned' cards of layout 2."""
    if layout == 1:
        rows = "".join(f'<tr class="sat"><td class="name">{html.escape(s.name)}</td><td class="orbit">{s.orbit}</td>'
                       f'<td class="launched">{s.launched}</td></tr>\n' for s in satellites)
        return f"<!doctype html><title>Satellites</title><table>\n{rows}</table>\n"
    cards = "".join(f'<li class="card"><h3>{html.escape(s.name)}</h3><span class="orbit">{s.orbit}</span>'
                    f'<span class="launch-year">{s.launched}</span></li>\n' for s in satellites)
    return f"<!doctype html><title>Satellites</title><ul>\n{cards}</ul>\n"
