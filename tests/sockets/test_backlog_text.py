"""Notebook 02 says where waiting clients wait: in the listen backlog, before accept(), not after it."""
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_messages_over_tcp.ipynb"


def test_waiting_clients_wait_in_the_listen_backlog_until_accept():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    cell = next(c for c in cells if c.cell_type == "markdown" and "## Many clients at once" in c.source)
    said = " ".join(cell.source.split())
    assert "queue of accepted" not in said  # accepted connections are the server's own: nobody waits there
    assert "listen backlog" in said and "until the server calls `accept()`" in said
