"""Suite-wide guard: a notebook or test that leaves a process or a listening socket behind fails."""
import os
import time
import uuid
from pathlib import Path

import psutil
import pytest

MARK = "DATA_IN_SPACE_TEST_RUN"
os.environ[MARK] = uuid.uuid4().hex  # every kernel and server started by the suite inherits it
_session_state = []


def listening_sockets():
    """(ip, port) of the listening TCP sockets of pytest and of every process the suite started."""
    found = set()
    for proc in [psutil.Process()] + marked_processes():
        try:
            found |= {(c.laddr.ip, c.laddr.port) for c in proc.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
        except psutil.Error:
            pass  # it ended while we looked
    return found


def marked_processes():
    """Processes started by this suite other than pytest itself: its descendants, and any that carry
    its mark (a process that rewrites its title, as redis-server does, loses the mark: it is found as a child)."""
    found = {}
    try:
        found = {p.pid: p for p in psutil.Process().children(recursive=True)}
    except psutil.Error:
        pass
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == os.getpid() or proc.pid in found:
            continue
        try:
            if proc.environ().get(MARK) == os.environ[MARK]:
                found[proc.pid] = proc
        except (psutil.Error, OSError):
            pass
    alive = []
    for proc in found.values():
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.Error:
            pass  # it ended while we looked
    return alive


def leftovers(before, wait=5.0):
    """Processes and listening sockets new since `before` and still there after `wait` s, as lines."""
    old_sockets, old_pids = before
    deadline = time.monotonic() + wait
    while True:
        procs = [p for p in marked_processes() if p.pid not in old_pids]
        sockets = listening_sockets() - old_sockets
        if not procs and not sockets or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    found = [f"listening socket {ip}:{port}" for ip, port in sorted(sockets)]
    for proc in procs:
        try:
            found.append(f"process {proc.pid} {' '.join(proc.cmdline()[:3])}")
            proc.kill()  # clean up so one leak does not cascade into every later check
        except psutil.Error:
            pass  # it ended while we looked
    return found


def snapshot():
    """What runs now: (listening sockets, pids of the suite's processes)."""
    return listening_sockets(), {p.pid for p in marked_processes()}


def pytest_sessionstart(session):
    _session_state.append(snapshot())


LIVE_AS_ROOT = "03_packets_scapy.ipynb"  # as root, the one notebook run in-process: it captures live


SPLIT = ("test_learner_conditions.py", "test_browser_all.py")  # files whose tests share no fixture: one unit each
SLOW_FIRST = ("test_hub_class.py", "test_browser", "test_learner_conditions.py", "test_nbgrader.py")  # handed out first


def pytest_xdist_make_scheduler(config, log):
    """Keep each file on one worker (as `--dist loadfile`), but hand out each test of SPLIT on its own, and the
    slowest units first (xdist would start with the files of most tests, leaving single long walks for the end)."""
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return nodeid if Path(path).name in SPLIT else path

        def _assign_work_unit(self, node):
            if not getattr(self, "slow_first", False):
                order = sorted(self.workqueue, key=slowness)  # stable: the rest keeps xdist's order
                self.workqueue = type(self.workqueue)((scope, self.workqueue[scope]) for scope in order)
                self.slow_first = True
            super()._assign_work_unit(node)

    return FileScheduling(config, log)


def slowness(scope):
    """Where a unit of work goes in the queue: by its file's place in SLOW_FIRST, all other files after."""
    name = Path(scope.split("::", 1)[0]).name
    return next((i for i, start in enumerate(SLOW_FIRST) if name.startswith(start)), len(SLOW_FIRST))


def pytest_collection_modifyitems(config, items):
    """As root, run notebooks in-process only for 03's live capture: tests/core/test_learner_conditions.py
    runs every notebook as an unprivileged learner account."""
    if os.geteuid() != 0 or os.environ.get("DIS_LEARNER_RUN") == "1":
        return
    skipped = [i for i in items if type(i).__name__ == "IPyNbCell" and i.parent.name != LIVE_AS_ROOT
               and not i.parent.name.endswith(LIVE_AS_ROOT)]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [i for i in items if i not in skipped]


@pytest.fixture(scope="session", autouse=True)
def nothing_left_running():
    """After the last test (of each test worker), nothing the suite started may still run or listen."""
    yield
    left = leftovers(_session_state[0])
    assert not left, f"the suite left these behind: {left}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    if type(item).__name__ == "IPyNbCell" and not hasattr(item.parent, "_before"):
        item.parent._before = snapshot()  # before the notebook's kernel starts
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    notebook = item.parent
    if hasattr(notebook, "_before") and (nextitem is None or nextitem.parent is not notebook):
        left = leftovers(notebook._before)
        assert not left, f"{notebook.name} left these behind after its kernel ended: {left}"
    return result
