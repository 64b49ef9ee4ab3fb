"""Notebook 04's reason for a context of the course's own holds: today's kernel does not use zmq.Context.instance()."""
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "04_zeromq_request_reply.ipynb"
ASK = ("import zmq\nfrom ipykernel.kernelapp import IPKernelApp\n"
       "print(IPKernelApp.instance().context is zmq.Context.instance())")


def test_the_kernel_has_a_zmq_context_of_its_own():
    manager, client = start_new_kernel(startup_timeout=60)
    try:
        printed = []
        client.execute_interactive(ASK, timeout=30, output_hook=lambda msg: printed.append(msg["content"].get("text")))
        assert "False\n" in printed, printed
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_the_notebook_does_not_call_the_shared_instance_the_kernels_context():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    said = " ".join(" ".join(c.source for c in cells if c.cell_type == "markdown").split())
    assert "would hand back the context that Jupyter's kernel uses" not in said
    assert "today's kernel makes a context of its own" in said
