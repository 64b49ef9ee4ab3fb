"""The three servers side by side: the same request to each, and their round trips in one chart."""
import html
import inspect
import json

import matplotlib.pyplot as plt
import requests
from IPython.display import HTML

from helpers.web.stdlib_api import ApiHandler


def same_request(servers, method, path, key=True, **kwargs):
    """Send one request to every server; an HTML table of what each answered (status and JSON body)."""
    rows = []
    for server in servers:
        headers = server.headers if key else {}
        try:
            reply = requests.request(method, server.url + path, headers=headers, timeout=5, **kwargs)
            body = json.dumps(reply.json())
            status = f"{reply.status_code} {reply.reason}"
        except (requests.RequestException, ValueError) as error:
            status, body = "no answer", str(error)
        short = body if len(body) <= 160 else body[:160] + f" ... ({len(body):,} characters in all)"
        rows.append(f"<tr><td>{html.escape(server.framework)}</td><td>{html.escape(status)}</td>"
                    f"<td><code>{html.escape(short)}</code></td></tr>")
    head = f"<b>{html.escape(method)} {html.escape(path)}</b>{'' if key else ' (no key)'}"
    return HTML(f"{head}<table><tr><th>server</th><th>status</th><th>body</th></tr>{''.join(rows)}</table>")


def route_source(server, name="list_satellites"):
    """The code that answers one route on server, as text (for the stdlib server: its do_GET)."""
    if server.framework == "http.server":
        return inspect.getsource(ApiHandler.do_GET)
    if server.framework == "Flask":
        return inspect.getsource(server.app.view_functions[name])
    return inspect.getsource(next(r.endpoint for r in server.app.routes if getattr(r, "name", "") == name))


def plot_rtts(rtts, title="one keep-alive GET, median round trip"):
    """A bar chart (log scale) of {label: microseconds}; returns the figure."""
    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.5 * len(rtts)))
    labels, values = list(rtts), list(rtts.values())
    bars = ax.barh(labels, values, color=["#c44e52" if v > 10_000 else "#4c72b0" for v in values])
    ax.bar_label(bars, labels=[f"{v:,.0f} µs" for v in values], padding=4)
    ax.set_xscale("log")
    ax.set_xlim(right=max(values) * 8)
    ax.invert_yaxis()
    ax.set_xlabel("microseconds (log scale)")
    ax.set_title(title)
    fig.tight_layout()
    plt.close(fig)
    return fig
