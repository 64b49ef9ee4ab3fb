"""Runs last (see conftest): after the whole suite, nothing it started may still run or listen."""
from conftest import leftovers


def test_nothing_left_running(session_start):
    assert leftovers(session_start) == []
