"""The servers the course can start by name, from a notebook or a terminal.

Each package in `helpers/` may hold a `catalog.py` with a `SERVERS` dict
(name -> (factory, one-line description)); this module gathers them all.
"""
import functools
import importlib
import pkgutil
from pathlib import Path

from helpers.core import registry

PACKAGES = Path(__file__).resolve().parents[1]


def lazy(module, factory):
    """A factory(name, port) that imports module only when a server is made (for a package whose heavy modules
    its catalogue should not import: `serve --list` then stays quick)."""
    def make(name, port=0):
        return getattr(importlib.import_module(module), factory)(name=name, port=port)
    return make


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


@functools.cache
def servers():
    """{name: (factory, one line)} of every server, gathered on first use (not at `import helpers`: the topics'
    modules bring FastAPI, matplotlib and more, which would slow the start of every notebook)."""
    return gather()


def serve(name, port=0, as_name=None):
    """Start the server called name (replacing a running one of that name) and return it."""
    if name not in servers():
        raise ValueError(f"no server called {name!r}; choose from {', '.join(servers())}")
    factory, _ = servers()[name]
    return factory(name=as_name or name, port=port).start()


def stop(name):
    """Stop the running server called name."""
    registry.stop(name)
