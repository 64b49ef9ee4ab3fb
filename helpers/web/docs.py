"""The FastAPI server's docs page for the learner's browser: through the Jupyter server's proxy, or direct."""
import html
import importlib.util
import json
import os
from pathlib import Path

from IPython.display import HTML
from jupyter_core.paths import jupyter_runtime_dir


def has_proxy():
    """True if jupyter-server-proxy is installed (so the Jupyter server forwards /proxy/<port>/...)."""
    return importlib.util.find_spec("jupyter_server_proxy") is not None


def jupyter_base():
    """The base path ('/' mostly) of the Jupyter server that started this kernel, or None if none did."""
    # a kernel's JPY_PARENT_PID is the pid of the process that launched it; a Jupyter server describes itself in
    # jpserver-<pid>.json. nbval, nbclient and VS Code launch kernels without one (VS Code sets JPY_SESSION_NAME too).
    info = Path(jupyter_runtime_dir()) / f"jpserver-{os.environ.get('JPY_PARENT_PID', 'none')}.json"
    try:
        return json.loads(info.read_text()).get("base_url") or "/"
    except (OSError, ValueError):
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX")  # JupyterHub and Binder: the user's path, /user/ada/


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
