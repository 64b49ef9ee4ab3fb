"""The ventilator pipeline: every result reaches the sink once; a dead worker's tasks are counted and re-sent."""
import psutil
import pytest

from helpers.zeromq.pipeline import run_pipeline
from helpers.zeromq.pipeline_view import pipeline_view
from helpers.zeromq.pipeline_worker import count_primes

LIMIT = 3000  # small tasks: these tests check delivery, not speed


def workers_alive():
    """Pipeline worker processes still running under this test process."""
    return [p for p in psutil.Process().children(recursive=True)
            if "helpers.zeromq.pipeline_worker" in " ".join(p.cmdline())]


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_every_result_reaches_the_sink_exactly_once(workers):
    run = run_pipeline(workers, tasks=60, limit=LIMIT)
    assert sorted(run.results) == list(range(60)) and run.missing == [] and run.duplicates == 0
    assert set(run.results.values()) == {count_primes(LIMIT)}
    assert sum(run.per_worker.values()) == 60
    assert sorted(run.per_worker) == [f"w{n}" for n in range(1, workers + 1)]  # every worker took its share
    assert workers_alive() == []


def test_a_dead_worker_takes_its_queued_tasks_with_it_and_the_sink_counts_them():
    run = run_pipeline(2, tasks=40, limit=LIMIT, die_after=3, patience=0.5)
    assert run.per_worker["w1"] == 3  # it crashed when its fourth task arrived
    assert len(run.missing) >= 10  # PUSH dealt it about half the tasks up front: all lost, none re-delivered
    assert sorted(run.missing + list(run.results)) == list(range(40))
    assert "missing" in repr(run)
    assert workers_alive() == []


def test_re_sending_the_missing_task_ids_recovers_every_result():
    run = run_pipeline(2, tasks=40, limit=LIMIT, die_after=3, resend=True, patience=0.5)
    assert run.missing == [] and sorted(run.results) == list(range(40))
    assert len(run.resent) == 1 and len(run.resent[0]) >= 10
    assert run.per_worker["w2"] == 40 - 3  # the survivor did the lost tasks too
    assert workers_alive() == []


def test_with_no_worker_left_the_re_send_gives_up_and_reports_the_loss():
    run = run_pipeline(1, tasks=10, limit=LIMIT, die_after=2, resend=True, patience=0.3, rounds=2)
    assert len(run.results) == 2 and run.missing == list(range(2, 10))


def test_the_widget_shows_progress_counts_and_times():
    view = pipeline_view(workers=2, tasks=20)
    view.run()
    assert view.progress.value == 1 and "20/20 tasks (100%)" in view.status.value
    assert "w1" in view.counts.value and "w2" in view.counts.value
    view.workers.value = 1
    view.run()
    assert "1 worker " in view.chart.value and "2 workers" in view.chart.value and "×" in view.chart.value
    assert not view.button.disabled
