"""Failover, load balancing and scaling on notebook 04's broker, driven by the supervisor."""
import time

import psutil
import pytest

from helpers.cloud import Supervisor, orchestra_view, plot_timeline, scenario
from helpers.zeromq import broker


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture
def team():
    hub = broker("test-cloud-broker", workers=2).start()
    supervisor = Supervisor(hub, name="test-supervisor", clients=2, seconds=30).start()
    yield supervisor
    supervisor.stop()
    hub.stop()


def test_a_crashed_worker_is_replaced_and_the_load_goes_on(team):
    wait_for(lambda: len(team.samples) >= 4 and team.samples[-1][1] > 0)
    old = {p.name: p.pid for p in team.hub.procs}
    assert team.crash("w1") == "w1"
    wait_for(lambda: any("w1 died: replaced" in text for _, text in team.events))
    wait_for(lambda: len(team.hub.workers) == 2 and all(p.poll() is None for p in team.hub.procs))
    assert {p.name: p.pid for p in team.hub.procs}["w1"] != old["w1"]
    assert not psutil.pid_exists(old["w1"]) or psutil.Process(old["w1"]).status() == psutil.STATUS_ZOMBIE
    before = dict(team.hub.handled)
    wait_for(lambda: team.hub.handled.get("w1", 0) > before.get("w1", 0))  # the new w1 takes work


def test_scaling_adds_a_worker_that_gets_a_share(team):
    view = orchestra_view(team)
    team.scale(3)
    wait_for(lambda: len(team.hub.workers) == 3)
    wait_for(lambda: team.hub.handled.get("w3", 0) > 0)
    wait_for(lambda: "w3" in view.bars.value and "3 workers" in view.rate.value)
    team.scale(1)
    wait_for(lambda: team.hub.workers == ["w1"])


def test_the_scenario_records_a_crash_and_a_scale_up(team):
    _, events = scenario(team, steady=1.5)
    texts = [text for _, text in events]
    assert texts[0].endswith("crashed") and texts[1].endswith("died: replaced") and texts[2] == "scaled 2 -> 3", texts
    wait_for(lambda: team.samples[-1][2] == 3)  # on a busy machine the third worker may still be starting
    assert plot_timeline(team.samples, team.events).get_ylabel() == "requests per second"


def test_the_load_ends_by_itself_and_a_second_press_extends_it():
    with broker("test-cloud-rest", workers=1) as hub, Supervisor(hub, name="test-rest", clients=2, seconds=1.0) as team:
        time.sleep(0.6)
        team.send_load(1.5)  # now until 2.1 s, not 1.0 s
        time.sleep(1.2)
        before = sum(hub.handled.values())
        time.sleep(0.3)
        assert sum(hub.handled.values()) > before  # still sending at 1.8 s
        wait_for(lambda: not team.sending, seconds=5)  # the clients stopped: the workers rest
        resting = sum(hub.handled.values())
        time.sleep(0.5)
        assert sum(hub.handled.values()) == resting
        team.send_load(0.5)  # a press after the end starts a new load
        wait_for(lambda: sum(hub.handled.values()) > resting)
