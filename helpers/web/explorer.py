"""An API explorer: pick an endpoint from the OpenAPI document, fill in its parameters, send, see the HTTP exchange."""
import functools
import html
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
import ipywidgets as w

from helpers.core.errors import describe
from helpers.core.stats import Stats
from helpers.web.api import Api
from helpers.web.fastapi_api import fastapi_app
from helpers.web.keys import HEADER

TIMEOUT = 5.0  # seconds for each step (connect, write, each read): a click never holds the kernel for long
ITEMS = 5  # items of a long list shown before "... (N more items)"
CHARS = 6000  # characters of a body shown at most
METHODS = ("get", "post", "put", "patch", "delete")
MORE = "\0more:"  # marks where a list was cut, replaced by a plain-text note once the JSON is written


@dataclass
class Endpoint:
    """One operation of the API: method, path, summary, parameters and an example body (None: takes none)."""

    method: str
    path: str
    summary: str = ""
    params: list = field(default_factory=list)
    body: object = None

    @property
    def label(self):
        """How the endpoint menu names it, e.g. 'GET /v1/satellites · List Satellites'."""
        return f"{self.method} {self.path}" + (f" · {self.summary}" if self.summary else "")


@functools.cache
def contract_spec():
    """The OpenAPI document of the /v1 contract every course server keeps (from a FastAPI app never served)."""
    spec = fastapi_app(Api(), Stats()).openapi()
    return dict(spec, paths={p: ops for p, ops in spec["paths"].items() if p.startswith("/v1/")})


def spec_of(server):
    """The server's own OpenAPI document (FastAPI), else the shared contract's."""
    openapi = getattr(getattr(server, "app", None), "openapi", None)
    return openapi() if callable(openapi) else contract_spec()


def endpoints(spec):
    """Every operation of an OpenAPI document as an Endpoint, the /v1 ones first."""
    found = []
    for path, ops in spec.get("paths", {}).items():
        for method in METHODS:
            if op := ops.get(method):
                content = op.get("requestBody", {}).get("content", {}).get("application/json")
                body = None if content is None else content.get("example", example(content.get("schema", {}), spec))
                found.append(Endpoint(method.upper(), path, op.get("summary", ""), op.get("parameters", []), body))
    return sorted(found, key=lambda e: (not e.path.startswith("/v1/"), e.path, METHODS.index(e.method.lower())))


def resolve(schema, spec):
    """schema with its $ref followed and an Optional (anyOf with null) unwrapped."""
    if "$ref" in schema:
        schema = functools.reduce(lambda node, key: node[key], schema["$ref"].lstrip("#/").split("/"), spec)
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return {**schema, **resolve(options[0], spec)} if options else schema


def example(schema, spec):
    """A value that fits schema: its own example, else one built from its type, enum and minimum."""
    schema = resolve(schema, spec)
    if schema.get("examples"):
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: example(sub, spec) for name, sub in schema.get("properties", {}).items()}
    if kind in ("integer", "number"):
        return int(schema.get("minimum", 1))
    return {"boolean": True, "array": []}.get(kind, f"example {schema.get('title', 'text').lower()}")


def hint(param, spec):
    """A parameter's placeholder: its type or allowed values, its range, its default (or required)."""
    schema = resolve(param.get("schema", {}), spec)
    what = " | ".join(map(str, schema["enum"])) if "enum" in schema else schema.get("type", "any")
    if "minimum" in schema or "maximum" in schema:
        low, high = (format(schema[k], "g") if k in schema else None for k in ("minimum", "maximum"))
        what += f" {low} to {high}" if low and high else f" ≥ {low}" if low else f" ≤ {high}"
    need = "required" if param.get("required") else "optional"
    need = f"default {schema['default']}" if "default" in schema else need
    return f"{what}, {need}"


def cut(data, items=ITEMS):
    """data with every list longer than items cut short, a MORE marker saying how many were left out."""
    if isinstance(data, dict):
        return {k: cut(v, items) for k, v in data.items()}
    if isinstance(data, list):
        kept = [cut(v, items) for v in data[:items]]
        return kept + [f"{MORE}{len(data) - items}"] if len(data) > items else kept
    return data


def pretty(text, chars=CHARS):
    """A response body for reading: JSON indented with long lists cut (saying so), any body cut at chars."""
    try:
        shown = json.dumps(cut(json.loads(text)), indent=2, ensure_ascii=False)
    except ValueError:
        shown = text
    else:
        shown = re.sub(r'"\\u0000more:(\d+)"', lambda m: f"... ({m[1]} more item{'s' * (m[1] != '1')})", shown)
    return shorten(shown, chars)


def shorten(text, chars=CHARS):
    """text, cut at chars with a note of how much was left out."""
    return text if len(text) <= chars else f"{text[:chars]}\n... ({len(text) - chars:,} more characters)"


def one_line(error, address, timeout=TIMEOUT):
    """An httpx error as one line a learner can act on."""
    cause = error
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.TimeoutException):
        cause = TimeoutError()
    elif isinstance(error, httpx.RemoteProtocolError):
        cause = ConnectionResetError()
    return describe(cause or error, address, timeout)


def red(text):
    """One line of error, in red, as HTML."""
    return f"<span style='color:#b00'>&#9888; {html.escape(str(text))}</span>"


def pre(text):
    """Text as a scrolling <pre> block."""
    return f"<pre style='margin:2px 0;max-height:24em;overflow:auto'>{html.escape(text)}</pre>"


def head(start, raw):
    """A start line and raw (name, value) byte pairs as the text of an HTTP head."""
    return "\n".join([start, *(f"{k.decode()}: {v.decode(errors='replace')}" for k, v in raw)])


class ApiExplorer(w.VBox):
    """Endpoint + parameters + key + Send: the request sent, the status, headers, body and time that came back."""

    def __init__(self, server, timeout=TIMEOUT):
        self.server, self.timeout, self.response = server, timeout, None
        self.spec = spec_of(server)
        self.endpoints = endpoints(self.spec)
        self.endpoint = w.Dropdown(options=[(e.label, e) for e in self.endpoints],
                                   layout=w.Layout(width="520px")).add_class("dis-api-endpoint")
        self.params, self.fields = w.VBox(), {}
        self.json = w.Textarea(layout=w.Layout(width="520px", height="140px")).add_class("dis-api-json")
        self.key = w.Text(value=server.key, description=HEADER, placeholder="empty: send no key",
                          layout=w.Layout(width="520px")).add_class("dis-api-key")
        self.button = w.Button(description="Send", button_style="primary", icon="paper-plane").add_class("dis-api-send")
        self.button.on_click(lambda _: self.send())
        _on_enter(self.key, self.send)
        self.request = w.HTML("").add_class("dis-api-request")
        self.status = w.HTML("<i>pick an endpoint, fill in its parameters, press Send</i>").add_class("dis-api-status")
        self.headers = w.HTML("").add_class("dis-api-headers")
        self.body = w.HTML("").add_class("dis-api-body")
        self.endpoint.observe(lambda _: self.choose(), "value")
        super().__init__([self.endpoint, self.params, self.json, w.HBox([self.key, self.button]),
                          w.HTML(f"<small>sends to {server.url} ({server.framework}), waiting up to "
                                 f"{timeout:g} s</small>"), self.request, self.status, self.headers, self.body])
        self.add_class("dis-api-explorer")
        self.choose()

    def choose(self):
        """Show the chosen endpoint's parameter fields and example body."""
        chosen, old = self.endpoint.value, self.params.children
        self.fields = {p["name"]: w.Text(description=p["name"], placeholder=hint(p, self.spec),
                                         layout=w.Layout(width="520px")).add_class(f"dis-api-param-{p['name']}")
                       for p in chosen.params}
        for box in self.fields.values():
            _on_enter(box.add_class("dis-api-param"), self.send)
        self.params.children = list(self.fields.values())
        self.json.value = "" if chosen.body is None else json.dumps(chosen.body, indent=2)
        self.json.layout.display = "none" if chosen.body is None else None
        for widget in old:
            widget.close()

    def build(self, client):
        """The httpx request the form describes (path and query filled in, key and body if any)."""
        chosen, path, query = self.endpoint.value, self.endpoint.value.path, {}
        for param in chosen.params:
            value = self.fields[param["name"]].value.strip()
            if param.get("in") == "path":
                if not value:
                    raise ValueError(f"fill in {param['name']} first: it is part of the path")
                path = path.replace(f"{{{param['name']}}}", quote(value, safe=""))
            elif value:
                query[param["name"]] = value
        headers = {HEADER: self.key.value.strip()} if self.key.value.strip() else {}
        if chosen.body is not None:
            headers["Content-Type"] = "application/json"
        content = self.json.value.encode() if chosen.body is not None else None
        return client.build_request(chosen.method, path, params=query, headers=headers, content=content)

    def send(self):
        """Send the request once and show the exchange; returns the httpx.Response (None on an error)."""
        self.button.disabled, self.response = True, None
        self.status.value = f"<i>sending&hellip; (waiting up to {self.timeout:g} s)</i>"
        self.request.value = self.headers.value = self.body.value = ""
        try:
            with httpx.Client(base_url=self.server.url, timeout=self.timeout) as client:
                request = self.build(client)
                line = f"{request.method} {request.url.raw_path.decode()} HTTP/1.1"
                sent = head(line, request.headers.raw)
                if request.content:
                    sent += "\n\n" + shorten(request.content.decode(errors="replace"))
                self.request.value = "<b>request</b>" + pre(sent)
                start = time.perf_counter()
                response = client.send(request)
                ms = (time.perf_counter() - start) * 1000
        except UnicodeEncodeError:
            self.status.value = red(f"the {HEADER} header can only carry ASCII characters: check the key")
            return None
        except ValueError as error:  # a path parameter left empty
            self.status.value = red(error)
            return None
        except httpx.HTTPError as error:
            self.status.value = red(one_line(error, tuple(self.server.address), self.timeout))
            return None
        finally:
            self.button.disabled = False
        self.response = response
        self.show(response, ms)
        return response

    def show(self, response, ms):
        """The status line and time, the response headers and the body (long ones cut, saying so)."""
        colour = "#1a7f37" if response.is_success else "#9a6700" if response.status_code < 500 else "#b00"
        line = f"{response.http_version} {response.status_code} {response.reason_phrase}"
        self.status.value = (f"<b>response</b> <span style='color:{colour};font-weight:bold'>{html.escape(line)}</span>"
                             f" &nbsp; in {ms:.1f} ms ({len(response.content):,} bytes of body)")
        self.headers.value = pre(head(line, response.headers.raw))
        self.body.value = pre(pretty(response.text)) if response.content else "<i>(no body)</i>"


def _on_enter(text_box, action):
    """Run action() when Enter is pressed in a one-line text box (the browser sends a 'submit' event)."""
    text_box.on_msg(lambda _, content, buffers: action() if content.get("event") == "submit" else None)


def explorer(server):
    """An API explorer widget for a running course API server (stdlib, Flask or FastAPI)."""
    return ApiExplorer(server)
