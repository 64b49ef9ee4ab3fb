"""For `make test-latest`: `names` prints the direct dependencies, `moved` what moved past the lock."""
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;#]+)")


def normal(name):
    """The name as PyPI compares names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked():
    """{name: {versions}} from requirements.lock (a package can have one version per Python)."""
    found = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := PIN.match(line):
            found.setdefault(normal(match.group(1)), set()).add(match.group(2))
    return found


def direct():
    """Names in requirements.txt and requirements-dev.txt, in order, once each."""
    names = []
    for path in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / path).read_text().splitlines():
            if (match := PIN.match(line)) and normal(match.group(1)) not in names:
                names.append(normal(match.group(1)))
    return names


def moved():
    """(direct, other): 'name locked -> installed' for the installed packages that differ from the lock."""
    first, found = set(direct()), ([], [])
    for name, versions in sorted(locked().items()):
        try:
            now = version(name)
        except PackageNotFoundError:
            continue
        if now not in versions:
            found[name not in first].append(f"{name} {' or '.join(sorted(versions))} -> {now}")
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["names"]:
        print(" ".join(direct()))
    elif sys.argv[1:] == ["moved"]:
        ours, others = moved()
        print("direct dependencies that moved past their pins:", ", ".join(ours) or "none")
        print("other packages that differ from requirements.lock:", ", ".join(others) or "none")
    else:
        sys.exit("usage: python tools/latest.py names|moved")
