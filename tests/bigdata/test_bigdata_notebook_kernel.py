"""Notebook 14's engines both alive in one kernel (the notebook itself never runs Dask and Spark at once), then the
kernel killed with SIGKILL: the Dask workers, multiprocessing's helper, Spark's JVM and every port they held are gone.
The notebook's own Run All, Restart & Run All and kill are its browser walk (tests/bigdata/test_browser_bigdata.py)."""
import os
import signal
from pathlib import Path

import nbformat
import psutil
from ended import all_gone
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "14_big_data.ipynb"
START = ("import os\ncluster = dask_cluster(workers=2)\nspark = start_spark(cores=2, progress=False)\n"
         "print(os.getpid(), cluster.address[1], spark.address[1] if spark else 0)")


def test_a_killed_kernel_with_dask_and_spark_leaves_nothing_behind():
    imports = next(c for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code")
    cells = [imports, nbformat.v4.new_code_cell(START)]
    notebook = nbformat.v4.new_notebook(cells=cells)
    client = NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(cells):
            client.execute_cell(cell, index)
        kernel, *ports = map(int, cells[-1].outputs[-1].text.split())
        family = psutil.Process(kernel).children(recursive=True)
        names = " ".join(p.name() for p in family)
        assert len(family) >= 3 and ("java" in names or not ports[1])  # two workers, a tracker, and the JVM
        os.kill(kernel, signal.SIGKILL)  # as a crash or the kernel manager's kill would: no atexit, no stop()
        assert all_gone(family, [p for p in ports if p], wait=15)
    assert [o for c in cells for o in c.outputs if o.output_type == "error" or o.get("name") == "stderr"] == []
