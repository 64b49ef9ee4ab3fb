"""Notebook 12 run whole in a kernel: no cell errs or writes to stderr, gevent never entered the kernel, and the
dotted-names server (which hands its objects to every caller) is gone as soon as its section ends."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "12_rpc.ipynb"
DOTTED_CELLS = ("b759e2d5", "60759841")  # the open door, then the closed one
GONE = ("from helpers.core import registry\nfrom helpers.core.ports import is_listening\n"
        "print([(s.running, is_listening(s.address), registry.get(s.name)) for s in (open_door, closed)])")


def test_after_run_all_the_kernel_has_no_gevent_and_no_cell_wrote_to_stderr():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    ids = [cell.get("id") for cell in notebook.cells]
    notebook.cells.insert(ids.index(DOTTED_CELLS[-1]) + 1, nbformat.v4.new_code_cell(GONE))
    notebook.cells.append(nbformat.v4.new_code_cell(
        'print(sorted(m for m in sys.modules if m.split(".")[0] in ("gevent", "zerorpc")), "zmq" in sys.modules)'))
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [(c.source.splitlines()[0], o) for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert [first for first, o in outputs if o.output_type == "error"] == []
    assert [(first, o.text) for first, o in outputs if o.get("name") == "stderr"] == []
    open_door = next(c for c in notebook.cells if c.get("id") == DOTTED_CELLS[0])
    said = "".join(o.get("text", "") for o in open_door.outputs)
    assert "everyone's calls: [21, 4]" in said and said.endswith("still running after the cell: False\n"), said
    closed = next(c for c in notebook.cells if c.get("id") == DOTTED_CELLS[1])
    assert "no password, double(2) -> 401 Unauthorized" in "".join(o.get("text", "") for o in closed.outputs)
    gone = next(c for c in notebook.cells if c.source == GONE)
    assert gone.outputs[0].text == "[(False, False, None), (False, False, None)]\n"  # stopped, port closed
    assert notebook.cells[-1].outputs[0].text == "[] True\n"  # zerorpc was used, through a child; ZeroMQ is here
