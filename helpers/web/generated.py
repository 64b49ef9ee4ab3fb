"""A typed client written from the API's OpenAPI document by openapi-python-client, imported fresh each time."""
import importlib
import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import time
import types
import weakref
from pathlib import Path

import httpx

from helpers.core.errors import ServiceError
from helpers.core.folders import private_folder

PACKAGE = "satellites_client"  # the generated package's name
PREFIX = "dis-openapi-"  # each temporary folder: <temp>/dis-openapi-<pid>-<random>
TIMEOUT = 60  # seconds the generator may take (about 1 s here)
NOISE = ("Error(s) encountered", "If you believe", "For further information")  # its lines that say nothing new


class Generated(types.SimpleNamespace):
    """The generated package: Client, AuthenticatedClient, models, and one module per endpoint (call its .sync)."""

    def cleanup(self):
        """Remove the temporary folder now (otherwise that happens when this object goes or the process ends)."""
        self._finalizer()

    def __repr__(self):
        return f"<client {self.package.__name__} made in {self.seconds:.1f} s: {', '.join(self.endpoints)}>"


def generate_client(server_or_url, folder=None, timeout=TIMEOUT):
    """Generate and import a client for a server, URL or OpenAPI dict, in folder or a temp folder removed at exit."""
    own = folder is None
    folder = private_folder(PREFIX) if own else Path(folder)
    try:
        spec = folder / "openapi.json"
        spec.write_text(json.dumps(short_ids(openapi_of(server_or_url))))
        started = time.perf_counter()
        _run_generator(spec, folder / PACKAGE, timeout)
        seconds = time.perf_counter() - started
        package, endpoints = _import_fresh(folder)
    except BaseException:
        if own:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    made = Generated(package=package, folder=folder, seconds=seconds, endpoints=list(endpoints),
                     Client=package.Client, AuthenticatedClient=package.AuthenticatedClient,
                     models=importlib.import_module(f"{PACKAGE}.models"), **endpoints)
    # a temporary folder goes with this object, or at exit; a folder of the caller's stays
    made._finalizer = weakref.finalize(made, shutil.rmtree, folder, ignore_errors=True) if own else lambda: None
    return made


def openapi_of(server_or_url):
    """The OpenAPI document: a FastAPI server's own, a dict as it is, or fetched from {url}/openapi.json."""
    if isinstance(server_or_url, dict):
        return server_or_url
    openapi = getattr(getattr(server_or_url, "app", None), "openapi", None)
    if callable(openapi):
        return openapi()
    url = getattr(server_or_url, "url", server_or_url).rstrip("/")
    url = url if url.endswith(".json") else f"{url}/openapi.json"
    try:
        reply = httpx.get(url, timeout=5)
    except httpx.HTTPError as error:
        raise ServiceError(f"could not fetch {url}: {error}") from error
    if reply.status_code != 200:
        raise ServiceError(f"GET {url} -> {reply.status_code} {reply.reason_phrase}: no OpenAPI document there")
    return reply.json()


def short_ids(spec):
    """spec with FastAPI's operation ids ('list_satellites_v1_satellites_get') cut to the function's name."""
    spec = json.loads(json.dumps(spec))
    paths = spec.get("paths") if isinstance(spec.get("paths"), dict) else {}
    for path, operations in paths.items():
        for method, operation in operations.items() if isinstance(operations, dict) else ():
            suffix = re.sub(r"\W", "_", path) + f"_{method}"  # what FastAPI appends to the route's name
            name = str(operation.get("operationId", "")) if isinstance(operation, dict) else ""
            if name.endswith(suffix) and len(name) > len(suffix):
                operation["operationId"] = name[:-len(suffix)]
    return spec


def _run_generator(spec, out, timeout):
    """Run `openapi-python-client generate` on spec into out, its output captured; ServiceError if it fails."""
    # the venv's bin first on PATH: the generator's post-hooks run ruff from there
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    # ruff tidies the code for this Python: left to itself it may write `typing.Self`, which 3.10 does not have
    target = f"--target-version=py{sys.version_info.major}{sys.version_info.minor}"
    config = spec.parent / "generator.json"
    config.write_text(json.dumps({"post_hooks": [f"ruff check . --fix-only {target}", f"ruff format . {target}"]}))
    argv = [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(spec), "--meta", "none",
            "--output-path", str(out), "--overwrite", "--config", str(config)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=spec.parent,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise ServiceError(f"openapi-python-client took more than {timeout:g} s: stopped") from None
    if done.returncode != 0 or not (out / "__init__.py").exists():
        lines = [line.strip() for line in (done.stderr or done.stdout).splitlines()
                 if line.strip() and not line.strip().startswith(NOISE)]
        why = ": ".join(lines[:2]) or f"exit status {done.returncode}"  # "Failed to parse ...: 2 validation errors"
        raise ServiceError(f"openapi-python-client failed: {why}")


def _import_fresh(folder):
    """Import the package generated in folder (dropping any older one of that name); (package, {name: module})."""
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    importlib.invalidate_caches()
    sys.path.insert(0, str(folder))
    try:
        package = importlib.import_module(PACKAGE)
        api = importlib.import_module(f"{PACKAGE}.api")
        modules = [importlib.import_module(info.name)
                   for info in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api.") if not info.ispkg]
    finally:
        sys.path.remove(str(folder))
    return package, {m.__name__.rsplit(".", 1)[-1]: m for m in modules}


def show_source(function):
    """The signature and docstring of a generated function (an endpoint's module: its sync function), as text."""
    function = getattr(function, "sync", function)
    lines, body = inspect.getsource(function).splitlines(), []
    for line in lines:
        body.append(line.rstrip())
        if line.rstrip().endswith('"""') and sum(part.count('"""') for part in body) >= 2:
            break
    return "\n".join(body)
