"""Notebook 09's imports cell stays quick: scapy and matplotlib load at the first capture, not in the first cell."""
import json
import subprocess
import sys
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "09_internet_services.ipynb"
SLOW = ["scapy", "matplotlib"]  # about 2 s of the imports cell's 4 s here; 14.8 s on a busy class server


def imports_cell():
    """The source of the notebook's first code cell."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "".join(next(cell for cell in cells if cell["cell_type"] == "code")["source"])


def test_the_imports_cell_loads_neither_scapy_nor_matplotlib():
    check = imports_cell() + f"\nimport sys\nprint(sorted(m for m in {SLOW!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"the imports cell loads {done.stdout.strip()}"


def test_the_cell_before_the_first_capture_says_it_waits():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    first = next(i for i, cell in enumerate(cells) if "lookup_packets(" in "".join(cell["source"])
                 and cell["cell_type"] == "code" and i > 1)
    assert "a few seconds" in "".join(cells[first - 1]["source"])
