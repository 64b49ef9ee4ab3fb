"""Suite-wide guard: a notebook or test that leaves a process or a listening socket behind fails."""
import os
import time
import uuid

import psutil
import pytest

MARK = "DATA_IN_SPACE_TEST_RUN"
os.environ[MARK] = uuid.uuid4().hex  # every kernel and server started by the suite inherits it
_session_sockets = set()


def listening_sockets():
    """(ip, port) of every listening TCP socket on this machine."""
    return {(c.laddr.ip, c.laddr.port) for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN}


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
    """Processes and listening sockets still there after `wait` seconds, as a list of lines."""
    deadline = time.monotonic() + wait
    while True:
        procs = marked_processes()
        sockets = listening_sockets() - before
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


def pytest_sessionstart(session):
    _session_sockets.update(listening_sockets())


def pytest_collection_modifyitems(items):
    """Run the whole-suite leftover check last."""
    last = [i for i in items if i.name == "test_nothing_left_running"]
    items[:] = [i for i in items if i not in last] + last


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    if type(item).__name__ == "IPyNbCell" and not hasattr(item.parent, "_sockets_before"):
        item.parent._sockets_before = listening_sockets()  # before the notebook's kernel starts
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    notebook = item.parent
    if hasattr(notebook, "_sockets_before") and (nextitem is None or nextitem.parent is not notebook):
        left = leftovers(notebook._sockets_before)
        assert not left, f"{notebook.name} left these behind after its kernel ended: {left}"
    return result


@pytest.fixture(scope="session")
def session_sockets():
    """Listening sockets that existed before the suite started."""
    return _session_sockets
