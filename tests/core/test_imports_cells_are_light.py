"""The imports cells of notebooks 13 and 14 load no heavy library (pandas, matplotlib, Dask's engines, asyncssh):
each is imported where it is first used, so that a busy class server runs the first cell in a moment."""
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
HEAVY = ("pandas", "matplotlib", "distributed", "dask.bag", "dask.dataframe", "asyncssh", "pyspark")
PROBE = """
import sys, nbformat
code = next(c.source for c in nbformat.read(sys.argv[1], as_version=4).cells if c.cell_type == "code")
exec(code, {})
print(" ".join(m for m in sys.argv[2:] if m in sys.modules))
"""


@pytest.mark.parametrize("name", ["13_remote_management.ipynb", "14_big_data.ipynb"])
def test_the_imports_cell_loads_no_heavy_library(name):
    out = subprocess.run([sys.executable, "-c", PROBE, str(NOTEBOOKS / name), *HEAVY], capture_output=True,
                         text=True, timeout=120, cwd=NOTEBOOKS)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == [], f"{name}'s imports cell loads {out.stdout.strip()}"
