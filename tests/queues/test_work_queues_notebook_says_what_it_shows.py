"""Notebook 07's cells print what its text says: a stream's consumer group gives each job to one packer and hands a
dead packer's jobs to another; each odd item on the belt is reported in a line of its own; Try it's Ethel comes in
(and stays) whatever the button said before."""
import contextlib
import io
import time
from pathlib import Path

import nbformat
import pytest

from helpers import stop_all

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "07_work_queues.ipynb"


class Cells:
    """The notebook's code cells, run in one namespace here, each returning what it printed."""

    def __init__(self, path=NOTEBOOK):
        self.cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        self.namespace = {}
        self.run_cell("import time")

    def run_cell(self, text):
        """Run the first code cell that holds text; return what it printed."""
        source = next(c.source for c in self.cells if text in c.source)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(source, "07 cell", "exec"), self.namespace)
        return out.getvalue()


@pytest.fixture
def cells():
    notebook = Cells()
    notebook.run_cell('redis_server = serve("redis")')
    yield notebook
    stop_all()


def test_a_consumer_group_gives_each_job_to_one_packer_and_a_dead_packers_jobs_to_another(cells):
    taken = cells.run_cell('xgroup_create("orders"').splitlines()
    assert taken == ["ann takes ['job-1', 'job-2']", "bob takes ['job-3', 'job-4']", "ann takes ['job-5', 'job-6']"]
    pending = cells.run_cell("xpending_range").splitlines()
    assert pending[0] == "ann acknowledges 4 entries" and len(pending) == 3
    assert all(" held by bob for " in line for line in pending[1:]), pending
    assert cells.run_cell("xautoclaim").splitlines() == ["ann claims ['job-3', 'job-4']", "still pending: 0"]


def test_each_odd_item_on_the_belt_is_reported_in_a_line_of_its_own(cells):
    cells.run_cell('raw = redis_server.client(decode_responses=False)')
    cells.run_cell("factory = factory_view(")
    cells.run_cell("line = factory.line")
    for _ in range(2):  # and again: a second run reports its own two
        lines = cells.run_cell("not a chocolate").splitlines()
        assert len(lines) == 2, lines
        assert "not a piece: <18 bytes that are not UTF-8" in lines[0], lines
        assert lines[1].endswith("not a piece: <a huge item: 2,000,000 bytes>"), lines
    view, deadline = cells.namespace["factory"], time.monotonic() + 5
    while view.counts.value.count("not a piece") < 3 and time.monotonic() < deadline:
        time.sleep(0.05)  # the widget is redrawn from its own thread
    assert view.counts.value.count("not a piece") == 3  # each of the last three under the counts


def test_ethel_comes_in_and_stays_in_whatever_the_button_said(cells):
    view = cells.namespace["factory_view"](cells.namespace["redis_server"], speed=2, seconds=0.05)
    view.toggle_ethel()  # the text's button: Ethel is in
    view.set_ethel(True)  # Try it: still in, not sent away
    assert view.line.workers == ["Lucy", "Ethel"] and view.ethel.description == "Send Ethel away"
    view.set_ethel(False)
    deadline = time.monotonic() + 5
    while "Ethel" in view.line.workers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert view.line.workers == ["Lucy"] and view.ethel.description == "Bring in Ethel"
