"""Notebook 14 run in a real kernel up to where it stops Dask (the notebook never runs Dask and Spark at once), then
Spark started beside it: no cell errs or writes to stderr; then the kernel is killed with SIGKILL, and the Dask
workers, multiprocessing's helper, Spark's JVM and every port they held are gone."""
import os
import signal
from pathlib import Path

import nbformat
import psutil
from ended import all_gone
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "14_big_data.ipynb"
PROBE = ("spark = start_spark(cores=2, progress=False)\n"
         "print(os.getpid(), cluster.address[1], spark.address[1] if spark else 0)")


def test_a_killed_kernel_leaves_nothing_behind():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [n for n, c in enumerate(notebook.cells) if c.cell_type == "code"]
    stop = next(n for n in code if notebook.cells[n].source.startswith("cluster.stop()"))
    cells = notebook.cells[:stop] + [nbformat.v4.new_code_cell("import os\n" + PROBE)]
    notebook.cells = cells
    client = NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        kernel, *ports = map(int, cells[-1].outputs[0].text.split())
        family = psutil.Process(kernel).children(recursive=True)
        names = " ".join(p.name() for p in family)
        assert len(family) >= 3 and ("java" in names or not ports[1])  # two workers, a tracker, and the JVM
        os.kill(kernel, signal.SIGKILL)  # as a crash or the kernel manager's kill would: no atexit, no stop()
        assert all_gone(family, [p for p in ports if p], wait=15)
    outputs = [(c.source.splitlines()[0], o) for c in cells if c.cell_type == "code" for o in c.outputs]
    assert [first for first, o in outputs if o.output_type == "error"] == []
    assert [(first, o.text) for first, o in outputs if o.get("name") == "stderr"] == []
