"""The servers the course can start by name, from a notebook or a terminal.

Each package in `helpers/` may hold a `catalog.py` with a `SERVERS` dict literal
(name -> (factory, one-line description)); this module gathers them all. Names and descriptions are
read from the catalogues' source, so listing them imports no server module.
"""
import ast
import functools
import importlib
import pkgutil
from pathlib import Path

from helpers.core import registry

PACKAGES = Path(__file__).resolve().parents[1]


def lazy(module, factory):
    """A factory(name, port) that imports module only when a server is made (for a package whose heavy modules
    its catalogue should not import: `servers()` then stays quick)."""
    def make(name, port=0):
        return getattr(importlib.import_module(module), factory)(name=name, port=port)
    return make


def packages():
    """The packages with a catalog.py: shared servers first, then topics in course order."""
    names = [p.name for p in pkgutil.iter_modules([str(PACKAGES)]) if p.ispkg and p.name != "core"]
    return [n for n in sorted(names, key=lambda n: n != "servers") if (PACKAGES / n / "catalog.py").exists()]


def declared(package):
    """{name: one line} of the SERVERS dict in helpers/<package>/catalog.py, read without importing it."""
    for node in ast.parse((PACKAGES / package / "catalog.py").read_text()).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["SERVERS"]:
            return {ast.literal_eval(key): ast.literal_eval(value.elts[1])
                    for key, value in zip(node.value.keys, node.value.values)}
    raise ValueError(f"helpers/{package}/catalog.py declares no SERVERS = {{...}}")


@functools.cache
def listing():
    """{name: (package, one line)} of every server, in catalogue order, without importing any server module."""
    found = {}
    for package in packages():
        servers_here = declared(package)
        clashes = found.keys() & servers_here.keys()
        assert not clashes, f"helpers.{package} declares servers that already exist: {clashes}"
        found.update({name: (package, about) for name, about in servers_here.items()})
    return found


def factory_of(name):
    """The factory of the server called name, importing only the catalogue that declares it."""
    if name not in listing():
        raise ValueError(f"no server called {name!r}; choose from {', '.join(listing())}")
    package, _ = listing()[name]
    return importlib.import_module(f"helpers.{package}.catalog").SERVERS[name][0]


@functools.cache
def servers():
    """{name: (factory, one line)} of every server, gathered on first use (it imports every catalogue, and with them
    FastAPI, matplotlib and more: `serve` and `listing` do without)."""
    return {name: (factory_of(name), about) for name, (_, about) in listing().items()}


def serve(name, port=0, as_name=None):
    """Start the server called name (replacing a running one of that name) and return it."""
    return factory_of(name)(name=as_name or name, port=port).start()


def stop(name):
    """Stop the running server called name."""
    registry.stop(name)
