"""Notebook 12 run whole in a kernel: no cell errs or writes to stderr, and gevent never entered the kernel."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "12_rpc.ipynb"


def test_after_run_all_the_kernel_has_no_gevent_and_no_cell_wrote_to_stderr():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        'print(sorted(m for m in sys.modules if m.split(".")[0] in ("gevent", "zerorpc")), "zmq" in sys.modules)'))
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [(c.source.splitlines()[0], o) for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert [first for first, o in outputs if o.output_type == "error"] == []
    assert [(first, o.text) for first, o in outputs if o.get("name") == "stderr"] == []
    assert notebook.cells[-1].outputs[0].text == "[] True\n"  # zerorpc was used, through a child; ZeroMQ is here
