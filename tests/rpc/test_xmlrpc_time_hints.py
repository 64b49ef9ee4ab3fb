"""Exercise 17.3's checker on two mistakes: str(datetime) (a space, no T) passes and the report says what ISO 8601
writes, as the exercise text does; a time computed once gets a hint that names that mistake, not another."""
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest

from helpers import stop_all
from helpers.rpc.checker import check_xmlrpc_time_server

EXERCISE = Path(__file__).resolve().parents[2] / "notebooks" / "exercises" / "17_3_xmlrpc_time_server.ipynb"


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def registers(function):
    """A register(server) that registers function as time."""
    return lambda server: server.register_function(function, "time")


def test_a_space_instead_of_the_t_passes_and_the_report_names_the_t():
    result = check_xmlrpc_time_server(registers(lambda: str(datetime.now())), quiet=True)
    assert result.passed, result.report()
    iso = next(c for c in result.checks if c.key == "iso")
    assert "space where ISO 8601 writes a T" in iso.detail and "isoformat()" in iso.detail
    text = " ".join(nbformat.read(EXERCISE, as_version=4).cells[5].source.split())
    assert "the checker also accepts a space there, as `str(datetime.now())` writes it" in text


def test_the_t_form_gets_no_remark():
    result = check_xmlrpc_time_server(registers(lambda: datetime.now().isoformat()), quiet=True)
    assert result.passed and next(c for c in result.checks if c.key == "iso").detail == ""


def frozen(server):
    """The learner's mistake: the time computed once, when register runs."""
    stamp = datetime.now().isoformat()
    server.register_function(lambda: stamp, "time")


def test_a_time_computed_once_gets_a_hint_about_exactly_that():
    result = check_xmlrpc_time_server(frozen, quiet=True)
    assert result.failed == "fresh", result.report()
    assert "a time computed once, in register(server) or before it" in result.hint


def test_a_clock_that_stopped_long_ago_gets_the_same_hint_and_a_wrong_one_another():
    stopped = (datetime.now() - timedelta(seconds=30)).isoformat()
    result = check_xmlrpc_time_server(registers(lambda: stopped), quiet=True)
    assert result.failed == "fresh" and "a time computed once" in result.hint, result.report()
    behind = check_xmlrpc_time_server(registers(lambda: (datetime.now() - timedelta(hours=1)).isoformat()), quiet=True)
    assert behind.failed == "fresh" and "local time" in behind.hint, behind.report()
