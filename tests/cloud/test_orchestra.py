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


def shows_recovery_and_scale_up(samples, events, workers):
    """Assert the recorded samples show work going on after the replacement, and after the scale-up by one more."""
    texts = [text for _, text in events]
    assert texts[0].endswith("crashed") and texts[1].endswith("died: replaced") and texts[2] == \
        f"scaled {workers} -> {workers + 1}", texts
    replaced, scaled = events[1][0], events[2][0]
    recovered = [t for t, rate, w in samples if replaced < t < scaled and rate > 0 and w == workers]
    assert recovered and max(recovered) - min(recovered) >= 1.0, samples  # a second of recovered work, at least
    grown = [t for t, rate, w in samples if t > scaled and rate > 0 and w == workers + 1]
    assert grown and max(grown) - min(grown) >= 1.0 and grown[-1] == samples[-1][0], samples


def test_the_scenario_records_a_crash_and_a_scale_up(team):
    samples, events = scenario(team, steady=1.5)
    shows_recovery_and_scale_up(samples, events, workers=2)
    assert plot_timeline(samples, events).get_ylabel() == "requests per second"


def test_the_scenario_keeps_the_load_on_when_it_had_ended():
    with broker("test-cloud-late", workers=1) as hub, Supervisor(hub, name="test-late", clients=2, seconds=0.3) as team:
        wait_for(lambda: not team.sending)  # a learner who ran the scenario's cell after the load ended
        samples, events = scenario(team, steady=1.0)
        shows_recovery_and_scale_up(samples, events, workers=1)


def test_samples_and_the_view_go_on_while_a_new_worker_starts(team, monkeypatch):
    view, starting = orchestra_view(team), team.hub.set_workers

    def slow_start(count, **kwargs):
        time.sleep(2.0)  # a worker that takes two seconds to start, as on a busy class server
        starting(count, **kwargs)

    monkeypatch.setattr(team.hub, "set_workers", slow_start)
    wait_for(lambda: len(team.samples) >= 2)
    team.scale(3)
    wait_for(lambda: "3 workers (wanted: 3)" in view.rate.value)
    gaps = [b[0] - a[0] for a, b in zip(team.samples, team.samples[1:])]
    assert max(gaps) < 1.5, gaps  # sampled four times a second throughout, not once the worker was up


def test_a_button_press_after_the_load_ended_sends_load_again():
    with broker("test-cloud-press", workers=1) as hub, \
            Supervisor(hub, name="test-press", clients=2, seconds=0.3) as team:
        view = orchestra_view(team)
        wait_for(lambda: not team.sending)
        wait_for(lambda: "the clients rest" in view.rate.value)
        next(b for b in view.buttons if b.description == "add a worker").click()
        assert team.sending and team.replicas == 2  # the new worker is seen at work
        wait_for(lambda: hub.handled.get("w2", 0) > 0)


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
