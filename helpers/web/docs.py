"""The FastAPI server's docs page for the learner's browser: through the Jupyter server's proxy, or direct."""
import html

from IPython.display import HTML

from helpers.core.jupyter import has_proxy, jupyter_base


def docs_link(server):
    """The URL of server's docs page that the learner's browser can open."""
    if not callable(getattr(getattr(server, "app", None), "openapi", None)):
        raise TypeError(f"{server.name} has no docs page: only the FastAPI server serves /docs")
    base = jupyter_base() if has_proxy() else None
    if base is None:
        return f"{server.url}/docs"
    return f"{base.rstrip('/')}/proxy/{server.address[1]}/docs"


def show_docs(server, height=500):
    """The docs page in a frame, a link to open it in a new tab, and one line on the route it takes."""
    link = html.escape(docs_link(server))
    route = ("direct to 127.0.0.1: works when this browser runs on the same machine as the kernel"
             if link.startswith("http") else "through the Jupyter server's proxy, so it works wherever this page does")
    return HTML(f"<div class='dis-api-docs'><div>{link} &mdash; {route}</div>"
                f"<iframe src='{link}' width='100%' height='{int(height)}' style='border:1px solid #ccc'></iframe>"
                f"<div><a href='{link}' target='_blank' rel='noopener'>open in a new tab</a></div></div>")
