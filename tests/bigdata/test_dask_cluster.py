"""The Dask cluster: every listener on 127.0.0.1 and on TLS, a client without the cluster's certificate refused, the
bag and dataframe jobs agree with MapReduce by hand, a worker killed mid-job changes nothing in the answer, an
existing scheduler is used when named, and nothing is left after stop() or after the kernel is killed."""
import asyncio
import logging
import os
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
from multiprocessing import resource_tracker
from pathlib import Path

import dask
import psutil
import pytest
from distributed import Client
from distributed.comm import connect
from distributed.protocol.pickle import dumps
from distributed.security import Security
from ended import all_gone, python_parent, sigkill

from helpers.bigdata import make_logs, mapreduce
from helpers.bigdata.cluster import DaskCluster, dask_cluster
from helpers.bigdata.dashboard import dashboard_link
from helpers.bigdata.dask_jobs import one_and_two_workers, pages_bag, pages_frame, timed, watch
from helpers.bigdata.failures import kill_worker_mid_job
from helpers.core.errors import ServiceError
from helpers.core.folders import sweep_orphans

LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1"}


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return make_logs(80_000, parts=8, folder=tmp_path_factory.mktemp("logs"), progress=False)


@pytest.fixture(scope="module")
def cluster():
    with dask_cluster(workers=2, name="test-dask") as running:
        yield running
    resource_tracker._resource_tracker._stop()  # multiprocessing's helper process, started for the workers


def listeners(processes):
    """(process, ip, port) of every listening TCP socket and bound UDP socket of the processes."""
    found = []
    for proc in processes:
        for conn in proc.net_connections("inet"):
            if conn.status in (psutil.CONN_LISTEN, psutil.CONN_NONE):
                found.append((proc.pid, conn.laddr.ip, conn.laddr.port))
    return found


def test_no_listener_outside_loopback_while_the_cluster_runs(cluster, logs):
    future = cluster.client.compute(pages_bag(logs.files))
    processes = [psutil.Process()] + [psutil.Process(pid) for pid in cluster.worker_pids()]
    found = listeners(processes)
    future.result(timeout=60)
    assert len(cluster.worker_pids()) == 2
    ports = {port for _, _, port in found}
    assert cluster.address[1] in ports and int(cluster.client.dashboard_link.split(":")[2].split("/")[0]) in ports
    assert {pid for pid, _, _ in found} >= set(cluster.worker_pids())  # each worker listens too
    assert all(ip in LOOPBACK for _, ip, _ in found), found
    assert cluster.address[0] == "127.0.0.1"
    workers = cluster.client.scheduler_info(n_workers=-1)["workers"]
    addresses = [cluster.client.scheduler.address, *workers, *(w["nanny"] for w in workers.values())]
    assert len(addresses) == 5 and all(a.startswith("tls://127.0.0.1:") for a in addresses), addresses


def refusal(attempt):
    """What went wrong in attempt(), as one line (or a failure if it worked)."""
    try:
        attempt()
    except Exception as error:
        cause = error.__cause__ or error.__context__
        return f"{type(error).__name__}: {error} <- {type(cause).__name__}: {cause}"
    pytest.fail("a client without the cluster's certificate got in")


def test_a_client_without_the_clusters_certificate_is_refused(cluster):
    address = cluster.client.scheduler.address
    plain = refusal(lambda: Client(address.replace("tls://", "tcp://"), timeout="5s"))
    assert "Connection reset by peer" in plain
    other = refusal(lambda: Client(address, security=Security.temporary(), timeout="5s"))
    assert "TLS certificate does not match" in other
    worker = next(iter(cluster.client.scheduler_info(n_workers=-1)["workers"]))
    loop = asyncio.new_event_loop()
    try:
        args = Security.temporary().get_connection_args("client")
        context = args["ssl_context"]
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # trust any server...
        context.maximum_version = ssl.TLSVersion.TLSv1_2  # ...and hear the worker's verdict within the handshake
        direct = refusal(lambda: loop.run_until_complete(connect(worker, timeout=5, **args)))
    finally:
        loop.close()
    assert "TLSV1_ALERT_UNKNOWN_CA" in direct, direct


def test_the_certificate_stays_in_memory_and_the_scratch_space_is_private(cluster):
    key = cluster.security.tls_client_key.splitlines()[1]
    for pid in [os.getpid(), *cluster.worker_pids()]:
        assert key not in " ".join(psutil.Process(pid).cmdline())
    folder = cluster.folder
    assert folder.stat().st_mode & 0o777 == 0o700 and folder.name.startswith("dis-dask-")
    assert not any(key in path.read_text(errors="replace") for path in folder.rglob("*") if path.is_file())
    used = cluster.client.run(lambda dask_worker: [dask_worker.local_directory, *sys.path])
    added = [path for paths in used.values() for path in paths if "dask-scratch-space" in path]
    added += [path for path in sys.path if "dask-scratch-space" in path]  # the nanny and scheduler add theirs here
    assert added and all(Path(path).is_relative_to(folder) for path in added), added


def test_the_dashboard_works_and_has_no_route_that_changes_the_cluster(cluster):
    with urllib.request.urlopen(cluster.client.dashboard_link, timeout=10) as page:
        assert page.status == 200 and b"Dask" in page.read()
    assert "distributed.http.scheduler.api" not in dask.config.get("distributed.scheduler.http.routes")
    retire = urllib.request.Request(cluster.client.dashboard_link.rsplit("/", 1)[0] + "/api/v1/retire_workers",
                                    data=b'{"n": 1}', method="POST")
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(retire, timeout=10)


def test_bag_and_dataframe_agree_with_mapreduce_by_hand(cluster, logs):
    expected = mapreduce(logs.files, progress=False)
    assert timed(cluster.client, pages_bag(logs.files))[1] == expected
    assert timed(cluster.client, pages_frame(logs.files))[1] == expected
    times = one_and_two_workers(cluster.client, logs.files, repeat=1, progress=False)
    assert set(times) == {1, 2} and all(t > 0 for t in times.values())


def test_watch_fills_its_bars_while_no_event_loop_runs_here(cluster, logs):
    job = cluster.client.compute(pages_bag(logs.files))
    widget = watch(job)  # no kernel loop runs in this test: the bars must be fed from the client's thread
    job.result(timeout=60)
    deadline = time.monotonic() + 10
    while "Finished" not in (widget.children[0].value if widget.children else "") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Finished" in widget.children[0].value
    bars = widget.children[1].children
    assert bars and all(row.children[1].value == 1.0 and row.children[1].bar_style == "success" for row in bars)


def test_a_worker_killed_mid_job_still_gives_the_right_answer(cluster, logs):
    expected = mapreduce(logs.files, progress=False)
    before = set(cluster.worker_pids())
    kill = kill_worker_mid_job(cluster, logs.files, seconds=0.1, progress=False)
    assert kill.pid in before and kill.held >= 1 and kill.counts == expected
    assert all_gone([psutil.Process(kill.pid)] if psutil.pid_exists(kill.pid) else [], [])
    cluster.client.wait_for_workers(2, timeout=30)  # the nanny started a new worker in its place
    assert kill.pid not in cluster.worker_pids() and len(cluster.worker_pids()) == 2


def test_an_existing_scheduler_is_used_when_named_with_its_certificates_from_dasks_configuration(cluster, logs,
                                                                                                 monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.client.scheduler.address)
    with pytest.raises(ServiceError, match="no Dask scheduler at tls://127.0.0.1:.*TLS"):
        DaskCluster(name="test-dask-remote", timeout=5).start()  # the helper makes no certificate for it
    tls = cluster.security
    with dask.config.set({"distributed.comm.tls.ca-file": tls.tls_ca_file, "distributed.comm.tls.client.cert":
                          tls.tls_client_cert, "distributed.comm.tls.client.key": tls.tls_client_key}):
        with DaskCluster(name="test-dask-remote") as remote:
            assert not remote.local and remote.worker_pids() == [] and remote.security is None
            assert remote.address == cluster.address
            assert timed(remote.client, pages_bag(logs.files[:2]))[1] == mapreduce(logs.files[:2], progress=False)
    assert cluster.running  # closing a client of someone else's scheduler leaves it running


def test_a_scheduler_that_is_not_there_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:9")
    with pytest.raises(ServiceError, match="no Dask scheduler at tcp://127.0.0.1:9") as caught:
        DaskCluster(name="test-dask-nowhere", timeout=1).start()
    assert "\n" not in str(caught.value)


def test_the_dashboard_link_goes_through_the_proxy_under_jupyter(monkeypatch):
    monkeypatch.delenv("JPY_PARENT_PID", raising=False)
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    assert dashboard_link("http://127.0.0.1:41234/status") == "/user/ada/proxy/41234/status"
    assert dashboard_link("http://10.0.0.1:8787/status") == "http://10.0.0.1:8787/status"  # not this machine's
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX")
    assert dashboard_link("http://127.0.0.1:41234/status") == "http://127.0.0.1:41234/status"


def test_stop_leaves_nothing(logs):
    service = dask_cluster(workers=2, name="test-dask-stop")
    pids, port, folder = service.worker_pids(), service.address[1], service.folder
    dashboard = int(service.client.dashboard_link.split(":")[2].split("/")[0])
    service.stop()
    service.stop()  # twice is fine
    assert all_gone([psutil.Process(pid) for pid in pids if psutil.pid_exists(pid)], [port, dashboard])
    assert not folder.exists()


def open_feed(address, connection_args):
    """A scheduler feed like a progress bar's, read once and then never again (as when the kernel is busy)."""
    async def feed():
        comm = await connect(address, **connection_args)
        await comm.write({"op": "feed", "function": dumps(lambda dask_scheduler: "update"), "interval": 0.05})
        assert await comm.read() == "update"
        return comm
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return loop, asyncio.run_coroutine_threadsafe(feed(), loop).result(timeout=10)


def test_stop_with_a_progress_feed_still_open_logs_no_error():
    service = dask_cluster(workers=1, name="test-dask-feed")
    loop, comm = open_feed(service.client.scheduler.address, service.client.connection_args)
    errors = Records(level=logging.ERROR)
    logging.getLogger("distributed.scheduler").addHandler(errors)
    try:
        time.sleep(0.3)  # the feed is now sleeping between updates nobody reads
        service.stop()
    finally:
        logging.getLogger("distributed.scheduler").removeHandler(errors)
        loop.call_soon_threadsafe(comm.abort)
        loop.call_soon_threadsafe(loop.stop)
    assert errors.records == [], errors.records[0].getMessage()
    assert not service.running


class Records(logging.Handler):
    """A logging handler that keeps what it is given."""

    def __init__(self, level):
        super().__init__(level)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_nothing_is_left_when_the_kernel_is_killed():
    script = ("from helpers.bigdata.cluster import dask_cluster; c = dask_cluster(workers=2);"
              "print(*c.worker_pids(), c.address[1], c.folder, flush=True); import time; time.sleep(60)")
    with python_parent(script) as parent:
        *pids, port, folder = parent.stdout.readline().split()
        pids, port, folder = list(map(int, pids)), int(port), Path(folder)
        family = psutil.Process(parent.pid).children(recursive=True)  # workers and multiprocessing's tracker
        assert {p.pid for p in family} >= set(pids) and len(pids) == 2
        sigkill(parent)
        assert all_gone(family, [port], wait=10)
    assert folder.stat().st_mode & 0o777 == 0o700  # left by the killed kernel, private, and the next start sweeps it
    sweep_orphans("dis-dask-")
    assert not folder.exists()
