"""The servers the course can start by name, from a notebook or a terminal.

Each package in `helpers/` may hold a `catalog.py` with a `SERVERS` dict
(name -> (factory, one-line description)); this module gathers them all.
"""
import importlib
import pkgutil
from pathlib import Path

from helpers.core import registry

PACKAGES = Path(__file__).resolve().parents[1]


def gather():
    """Every package's SERVERS, shared servers first, then topics in course order."""
    found = {}
    names = [p.name for p in pkgutil.iter_modules([str(PACKAGES)]) if p.ispkg and p.name != "core"]
    for package in sorted(names, key=lambda n: n != "servers"):
        if (PACKAGES / package / "catalog.py").exists():
            module = importlib.import_module(f"helpers.{package}.catalog")
            clashes = found.keys() & module.SERVERS.keys()
            assert not clashes, f"helpers.{package} declares servers that already exist: {clashes}"
            found.update(module.SERVERS)
    return found


SERVERS = gather()


def serve(name, port=0, as_name=None):
    """Start the server called name (replacing a running one of that name) and return it."""
    if name not in SERVERS:
        raise ValueError(f"no server called {name!r}; choose from {', '.join(SERVERS)}")
    factory, _ = SERVERS[name]
    return factory(name=as_name or name, port=port).start()


def stop(name):
    """Stop the running server called name."""
    registry.stop(name)
