"""Notebook 08 and its comparison table say what is true: Redis Streams are taught in notebook 06, and STOMP is one
protocol ActiveMQ accepts (its own is OpenWire)."""
from pathlib import Path

import nbformat

from helpers.brokers.compare import REDIS_GUARANTEES

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def text_of(name):
    return "\n".join(c.source for c in nbformat.read(NOTEBOOKS / name, as_version=4).cells)


def test_the_table_points_at_the_notebook_that_has_streams():
    assert "notebook 06" in REDIS_GUARANTEES["persistence"]
    assert "Redis Stream" in text_of("06_pub_sub.ipynb") and "XADD" not in text_of("07_work_queues.ipynb")


def test_stomp_is_not_called_activemqs_own_protocol():
    text = text_of("08_other_brokers.ipynb")
    assert "ActiveMQ's language" not in text and "ActiveMQ's text protocol" not in text
    assert "OpenWire" in text
