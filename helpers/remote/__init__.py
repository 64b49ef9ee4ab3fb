"""Remote management (notebook 13): SSH "hosts" on 127.0.0.1, Fabric, Ansible, and Salt's push model over ZeroMQ.

Each name is imported from its module on first use (`from helpers.remote import start_hosts` works as usual), so
that `python -m helpers serve --list`, which reads this package's catalogue, does not load Fabric, pandas and more.
"""
import importlib

_MODULES = {"Ansible": "ansible_runs", "inventory_text": "ansible_runs", "transport": "ansible_runs",
            "draw_models": "diagrams", "run_everywhere": "fabric_runs", "Fleet": "fleet", "SshHost": "hosts",
            "start_hosts": "hosts", "control_folder": "keys", "new_key": "keys", "keys": None, "SaltModel": "salt_push",
            "eavesdrop": "salt_push"}

__all__ = list(_MODULES)


def __getattr__(name):
    if name not in _MODULES:
        raise AttributeError(f"module 'helpers.remote' has no attribute {name!r}")
    module = importlib.import_module(f"helpers.remote.{_MODULES[name] or name}")
    return module if _MODULES[name] is None else getattr(module, name)
