"""Every two-account attack, gathered from tests/security/attacks/*.py."""
import importlib
import pkgutil
from pathlib import Path

ATTACK_MODULES = Path(__file__).resolve().parent / "attacks"


def attacks():
    """{service name: Attack} from every attack module."""
    found = {}
    for info in sorted(pkgutil.iter_modules([str(ATTACK_MODULES)]), key=lambda i: i.name):
        module = importlib.import_module(f"attacks.{info.name}")
        clashes = found.keys() & module.ATTACKS.keys()
        assert not clashes, f"attacks.{info.name} repeats {clashes}"
        found.update(module.ATTACKS)
    return found
