"""The Dask dashboard's address for the learner's browser: through the Jupyter server's proxy, or direct."""
from urllib.parse import urlsplit

from helpers.core.jupyter import has_proxy, jupyter_base


def dashboard_link(direct):
    """direct is the dashboard's own URL (http://127.0.0.1:PORT/status); under Jupyter with jupyter-server-proxy,
    the same page at <base>/proxy/PORT/status, which works wherever the notebook's page does (Binder too)."""
    url = urlsplit(direct)
    base = jupyter_base() if has_proxy() and url.hostname in ("127.0.0.1", "localhost") else None
    if base is None:
        return direct
    return f"{base.rstrip('/')}/proxy/{url.port}{url.path or '/status'}"


def proxy_dashboard_links():
    """Make Dask's own displays (the client's and the cluster's HTML) link to the dashboard through the proxy too."""
    import dask
    base = jupyter_base() if has_proxy() else None
    if base is not None:
        dask.config.set({"distributed.dashboard.link": f"{base.rstrip('/')}/proxy/{{port}}/status"})
