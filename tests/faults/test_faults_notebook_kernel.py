"""Notebook 16 run whole in a kernel: no cell errs or writes to stderr (nothing leaks from the proxy's loop
thread or the servers behind it), and once the kernel is killed no port it opened is still listening."""
import json
import os
import signal
from pathlib import Path

import nbformat
import psutil
from ended import all_gone
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "16_fallacies_lab.ipynb"
REPORT = ("import json, os; from helpers.core.registry import running\n"
          "print(json.dumps({'pid': os.getpid(), 'ports': [s.address[1] for s in running() if s.address],"
          " 'kinds': sorted({s.kind for s in running()})}))")


def test_run_all_is_clean_and_a_killed_kernel_leaves_no_port_or_process():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(REPORT))
    client = NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):  # cell by cell, so the kernel is still up after the last
            client.execute_cell(cell, index)
        outputs = [(c.source.splitlines()[0], o) for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
        assert [first for first, o in outputs if o.output_type == "error"] == []
        assert [(first, o.text) for first, o in outputs if o.get("name") == "stderr"] == []
        report = json.loads(notebook.cells[-1].outputs[0].text)
        assert "faults proxy" in report["kinds"] and "faults udp relay" in report["kinds"]
        kernel = psutil.Process(report["pid"])
        children = kernel.children(recursive=True)
        os.kill(report["pid"], signal.SIGKILL)  # as a crashed kernel dies: no stop(), no atexit
        assert all_gone([kernel, *children], report["ports"], wait=10)
