"""Suite-wide guard: a notebook or test that leaves a process or a listening socket behind fails."""
import os
import time
import uuid

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
    """Processes started by this suite (they carry its mark) other than pytest itself."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == os.getpid():
            continue
        try:
            if proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(MARK) == os.environ[MARK]:
                found.append(proc)
        except (psutil.Error, OSError):
            pass
    return found


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


def pytest_collection_modifyitems(items):
    """Run the whole-suite leftover check last."""
    last = [i for i in items if i.name == "test_nothing_left_running"]
    items[:] = [i for i in items if i not in last] + last


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


@pytest.fixture(scope="session")
def session_start():
    """What ran before the suite started."""
    return _session_state[0]
