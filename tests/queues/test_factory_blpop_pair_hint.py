"""Exercise 17.4's checker: a Lucy who keeps BLPOP's whole reply, (list, piece), is told that it is a pair."""
import time
from datetime import datetime

import pytest

from helpers import stop_all
from helpers.queues import check_chocolate_factory
from notebook_code import notebook_functions


@pytest.fixture(scope="module")
def solution():
    yield notebook_functions("solutions/17_4_chocolate_factory.ipynb")
    stop_all()


def keeps_the_pair(r, belt, seconds=0.5):
    while True:
        piece = r.blpop(belt)  # ('belt', 'praline'): never equal to "END"
        if piece == "END":
            return
        print(f"{datetime.now():%H:%M:%S} {piece}: {r.llen(belt)} left")
        time.sleep(seconds)


def keeps_the_list_name(r, belt, seconds=0.5):
    while (piece := r.blpop(belt)[0]) != "END":
        print(f"{datetime.now():%H:%M:%S} {piece}: {r.llen(belt)} left")
        time.sleep(seconds)


@pytest.mark.parametrize("lucy, shown", [(keeps_the_pair, "the pair"), (keeps_the_list_name, "the list's name")])
def test_a_lucy_who_keeps_the_pair_is_told_that_blpop_returns_list_and_piece(solution, lucy, shown):
    result = check_chocolate_factory(solution["conveyor"], lucy, quiet=True)
    assert result.failed == "stops", result.report()
    assert "returns a pair, (list, piece)" in result.hint and "_, piece = r.blpop(belt)" in result.hint
    assert f"shows {shown} where the piece should be" in result.hint and "Loop until" not in result.hint
