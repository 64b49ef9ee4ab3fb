"""Notebook 06's cells print what its text says: the slow joiner loses every cat, every time; the subscriber that was
away prints nothing (nothing old is left waiting for it); the chapter's plain client gets bytes; the rate chart
labels its scale as a scale."""
import contextlib
import io
import time
from pathlib import Path

import nbformat
import pytest

from helpers import stop_all
from helpers.pubsub.viewer import rate_chart

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "06_pub_sub.ipynb"


class Cells:
    """The notebook's code cells, run in one namespace here, each returning what it printed."""

    def __init__(self, path=NOTEBOOK):
        self.cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        self.namespace = {}
        self.run(0)  # the imports

    def index(self, text):
        """The index of the first code cell that holds text."""
        return next(i for i, c in enumerate(self.cells) if text in c.source)

    def run(self, index):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(self.cells[index].source, f"06 cell {index}", "exec"), self.namespace)
        return out.getvalue()


@pytest.fixture
def cells():
    yield Cells()
    stop_all()


def test_the_chapters_order_loses_every_cat_to_the_slow_joiner_every_time(cells):
    """Even on a busy machine: a stall of 0.2 s before the publisher sends (a slow print in a loaded kernel)."""
    publish, hasty = cells.index("publish_cats_zmq(pub, 10, seed=17)"), cells.namespace["publish_cats_zmq"]
    cells.namespace["publish_cats_zmq"] = lambda *args, **kwargs: (time.sleep(0.2), hasty(*args, **kwargs))
    for _ in range(5):
        published = cells.run(publish)
        assert published.count("Publish:") == 10
        assert cells.run(publish + 1).splitlines()[-1] == "[]"  # "Nothing arrived"


def test_the_subscriber_that_was_away_gets_nothing_old_and_nothing_new(cells):
    for text in ('redis = serve("redis")', 'sub.subscribe("maine coon", "persian")', "while (msg := sub.get_message",
                 'fans.psubscribe("*coon", "n*")'):
        cells.run(cells.index(text))
    away = cells.run(cells.index("sub.unsubscribe()"))
    assert away.count("(to 0 subscribers)") == 4, away
    assert away.splitlines()[-1] == "[]", away  # "misses everything published meanwhile", and prints nothing else


def test_the_chapters_plain_client_is_shown_to_answer_in_bytes(cells):
    cells.run(cells.index('redis = serve("redis")'))
    shown = cells.run(cells.index("decode_responses=False"))
    assert "'channel': b'siamese'" in shown and "'data': b'bowler'" in shown, shown


def test_the_rate_chart_labels_a_round_scale_not_a_rate():
    chart = rate_chart([(0.0, 0), (1.0, 39_913)])
    assert "scale: dashed line = 50,000 msgs/s" in chart and "39,913" not in chart
