"""Notebook 04's widgets say what happened: the console lists frames one per line, the broker counts in words."""
import pytest

from helpers import serve, stop_all
from helpers.zeromq import broker, zmq_console
from helpers.zeromq.broker_view import BrokerView


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def test_the_console_history_lists_each_frame_on_a_line_of_its_own():
    console = zmq_console(serve("zmq-rep").endpoint)
    assert console.kind.style.button_width == "auto"  # as wide as its label: "DEALER" was cut to "DEAL..." at 70px
    console.text.value = "one\ntwo"
    console.submit()
    console.kind.value = "DEALER"
    console.submit()
    history = console.history.value
    assert "b&#x27;one\\ntwo&#x27;" not in history and " | " not in history  # not one bytes literal per message
    assert "0: <code>b&#x27;one&#x27;</code><br>1: <code>b&#x27;two&#x27;</code>" in history  # REQ: as typed
    assert "0: <code>b&#x27;&#x27;</code><br>1: <code>b&#x27;one&#x27;</code>" in history  # DEALER: the delimiter too
    assert "1: <code>b&#x27;Stop saying: two&#x27;</code>" in history


def test_one_client_and_one_worker_are_singular_and_a_finished_run_says_done():
    with broker("test-view-words", workers=1, work_ms=1) as hub:
        view = BrokerView(hub, clients=1, seconds=0.5)
        view.restart()
        view._thread.join(5)
    assert "from 1 client to 1 worker" in view.rate.value and view.rate.value.endswith("(done)")


def test_a_run_that_a_slider_ends_early_says_so_with_its_own_numbers():
    with broker("test-view-superseded", workers=1, work_ms=1) as hub:
        view = BrokerView(hub, clients=2, seconds=5.0)
        labels = []
        view.rate.observe(lambda change: labels.append(change["new"]), "value")
        view.restart()
        while not any("(running)" in label for label in labels):
            view._thread.join(0.05)
        view.seconds = 0.3  # the next run is short
        view.clients.value = 3  # a new run starts; the first one ends early
        view._thread.join(10)
    ended = [label for label in labels if "stopped early" in label]
    assert len(ended) == 1 and "from 2 clients to 1 worker" in ended[0], labels
    assert "from 3 clients" in labels[-1] and labels[-1].endswith("(done)"), labels
