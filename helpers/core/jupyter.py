"""Where the learner's browser finds a page served by the kernel: the Jupyter server that started it, if any."""
import importlib.util
import json
import os
from pathlib import Path

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
