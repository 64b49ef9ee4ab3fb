"""MapReduce by hand, over the ZeroMQ pipeline and as Hadoop streaming: the same seeded data, the same answer,
and one clear line when something is wrong."""
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from helpers.bigdata import make_logs, mapreduce, partition_of, run_streaming, shuffle, zmq_engine, zmq_mapreduce
from helpers.core.errors import ServiceError

REQUEST = re.compile(r'"[A-Z]+ (\S+) HTTP/1\.1"')


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return make_logs(60_000, parts=5, folder=tmp_path_factory.mktemp("logs"), progress=False)


def counted_plainly(files):
    """The answer, counted another way: a regular expression and a Counter."""
    return dict(Counter(REQUEST.search(line)[1] for f in files for line in open(f)))


def test_the_data_set_is_the_same_for_the_same_seed_and_as_big_as_asked(logs):
    again = make_logs(60_000, parts=5, progress=False, replace=False)
    other = make_logs(60_000, parts=5, seed=7, progress=False, replace=False)
    try:
        assert [f.read_bytes() for f in again.files] == [f.read_bytes() for f in logs.files]
        assert [f.read_bytes() for f in other.files] != [f.read_bytes() for f in logs.files]
        assert sum(1 for f in logs.files for _ in open(f)) == logs.rows == 60_000
        assert again.folder.stat().st_mode & 0o077 == 0 and again.folder.name.startswith("dis-bigdata-")
    finally:
        shutil.rmtree(again.folder)
        shutil.rmtree(other.folder)


def test_a_new_data_set_replaces_the_last_one_made_in_a_temp_folder(tmp_path):
    first = make_logs(1_000, parts=2, progress=False, replace=False)
    second = make_logs(1_000, parts=2, progress=False)
    chosen = make_logs(1_000, parts=1, folder=tmp_path, progress=False)
    assert not first.folder.exists() and second.folder.exists() and chosen.files[0].exists()
    shutil.rmtree(second.folder)


def test_by_hand_zeromq_and_streaming_give_the_same_counts(logs):
    expected = counted_plainly(logs.files)
    assert len(expected) > 10 and sum(expected.values()) == logs.rows
    assert mapreduce(logs.files, partitions=3, progress=False) == expected
    job = zmq_mapreduce(logs.files, workers=2, partitions=3, progress=False)
    assert job.result == expected
    assert sum(job.per_worker.values()) == len(logs.files) + 3  # a map task per file, a reduce task per partition
    assert run_streaming(logs.files) == expected


def test_the_zeromq_engine_listens_only_in_a_private_folder(logs, monkeypatch):
    seen = []

    def start_workers(count, tasks_at, results_at):
        for endpoint in (tasks_at, results_at):
            path = Path(endpoint.removeprefix("ipc://"))
            seen.append((endpoint, path.parent.stat(), path.exists()))
        return started(count, tasks_at, results_at)

    started = zmq_engine.start_workers
    monkeypatch.setattr(zmq_engine, "start_workers", start_workers)
    assert zmq_mapreduce(logs.files[:2], workers=1, progress=False).result
    assert len(seen) == 2 and all(endpoint.startswith("ipc://") and exists for endpoint, _, exists in seen), seen
    assert all(folder.st_mode & 0o777 == 0o700 and folder.st_uid == os.getuid() for _, folder, _ in seen)


def test_the_shuffle_sends_each_key_to_one_partition_whatever_the_process():
    pairs = [("/a", 1), ("/b", 1), ("/a", 1), ("/c", 1)] * 5
    buckets = shuffle(pairs, 3)
    assert sorted(p for b in buckets for p in b) == sorted(pairs)
    assert all(len({partition_of(k, 3) for k, _ in b}) <= 1 for b in buckets)
    code = "from helpers.bigdata import partition_of; print([partition_of(k, 3) for k in ('/a', '/b', '/c')])"
    elsewhere = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30,
                                env=dict(os.environ, PYTHONHASHSEED=seed)).stdout for seed in ("1", "2")}
    assert elsewhere == {f"{[partition_of(k, 3) for k in ('/a', '/b', '/c')]}\n"}  # hash() would differ


def test_streaming_without_sort_writes_partial_totals_and_loses_no_hit(logs):
    unsorted = run_streaming(logs.files, sort=False, lines=True, progress=False)
    assert sum(total for _, total in unsorted) == logs.rows  # every hit is there...
    assert len(unsorted) > 10 * len(dict(unsorted))  # ...in many partial totals per page
    with pytest.raises(ServiceError, match="not sorted by key; lines=True gives every line"):
        run_streaming(logs.files, sort=False, progress=False)  # a dict would keep one partial total per page


def test_bad_input_is_one_clear_line(logs, tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        make_logs(0)
    with pytest.raises(ServiceError, match="^no such log file: .*missing.log$") as caught:
        run_streaming([tmp_path / "missing.log"])
    assert "\n" not in str(caught.value)
    with pytest.raises(ServiceError, match="no map result within 1 s"):
        zmq_mapreduce([tmp_path / "missing.log"], workers=1, timeout=1, progress=False)


def test_a_streaming_timeout_fires(logs):
    with pytest.raises(ServiceError, match="did not finish within 0.01 s"):
        run_streaming(logs.files * 20, timeout=0.01, progress=False)


def test_a_stage_that_fails_is_named(tmp_path):
    broken = tmp_path / "broken.log"
    broken.write_text("no quotes at all\n")
    assert run_streaming([broken], progress=False) == {}  # the mapper skips what it cannot read
    broken.write_text('192.0.2.1 - - [01/Jan/2026:00:00:00 +0000] "GET /a\tb HTTP/1.1" 200 1\n')  # a tab in the page
    with pytest.raises(ServiceError, match="^reducer.py exited with status 1$"):
        run_streaming([broken], progress=False)
