"""Child servers never outlive their parent: killed kernel, watchdog, no daemonizing."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import psutil
import pytest

from helpers.core.errors import ServiceError
from helpers.core.ports import is_listening
from helpers.core.process import end_process, first_line, spawn

START_REDIS_AND_WAIT = textwrap.dedent("""
    import sys, time, threading
    from helpers import serve
    if sys.argv[1] == "thread":   # started off the main thread: the watchdog path
        box = []
        t = threading.Thread(target=lambda: box.append(serve("redis"))); t.start(); t.join()
        server = box[0]
    else:
        server = serve("redis")
    print(server.process.pid, server.address[1], flush=True)
    time.sleep(60)
""")


def _start_then_kill(mode):
    parent = subprocess.Popen([sys.executable, "-c", START_REDIS_AND_WAIT, mode], stdout=subprocess.PIPE, text=True)
    pid, port = map(int, parent.stdout.readline().split())
    child = psutil.Process(pid)
    assert os.getpgid(pid) == os.getpgid(parent.pid)  # same process group, not daemonized
    assert is_listening(("127.0.0.1", port))
    parent.send_signal(signal.SIGKILL)  # like a kernel killed from outside: no atexit runs
    parent.wait()
    parent.stdout.close()
    return child, port


def _gone(child, port, wait=5.0):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not child.is_running() or child.status() == psutil.STATUS_ZOMBIE:
            return not is_listening(("127.0.0.1", port))
        time.sleep(0.05)
    return False


def test_redis_dies_when_its_parent_is_killed():
    child, port = _start_then_kill("main")
    assert _gone(child, port)


def test_redis_started_from_a_thread_dies_with_parent_via_watchdog():
    child, port = _start_then_kill("thread")
    assert "helpers.core.watchdog" in " ".join(child.cmdline())
    assert _gone(child, port)
    # the watchdog ends the redis-server it started too
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and is_listening(("127.0.0.1", port)):
        time.sleep(0.05)
    assert not is_listening(("127.0.0.1", port))


def test_normal_exit_stops_servers():
    code = "from helpers import serve; s = serve('redis'); print(s.process.pid, s.address[1], flush=True)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30).stdout
    pid, port = map(int, out.split())
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not is_listening(("127.0.0.1", port))


def start_child(code):
    """A Python child with stdout and stderr piped, as the brokers' and mail's helpers start theirs."""
    return spawn([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE)


def test_first_line_reads_what_a_child_announces_and_says_why_when_it_cannot():
    child = start_child("import time; print(4321, flush=True); time.sleep(5)")
    assert first_line(child, "announcer", time.monotonic() + 5) == b"4321\n"
    child.kill()
    end_process(child)
    failing = start_child("import sys; sys.exit('port 80: permission denied')")
    with pytest.raises(ServiceError, match=r"^failing exited at start: port 80: permission denied$"):
        first_line(failing, "failing", time.monotonic() + 5)
    end_process(failing)
    silent = start_child("import time; time.sleep(30)")
    begin = time.monotonic()
    with pytest.raises(ServiceError, match="silent did not announce itself before its start deadline"):
        first_line(silent, "silent", time.monotonic() + 0.3)
    assert time.monotonic() - begin < 3 and silent.wait(timeout=3) is not None  # killed, not left running
    end_process(silent)


def test_a_command_ends_when_its_watchdog_is_killed():
    box = []
    starter = threading.Thread(target=lambda: box.append(spawn([sys.executable, "-c", "import time; time.sleep(60)"])))
    starter.start()  # spawned off the main thread: a watchdog stands between
    starter.join()
    watchdog = psutil.Process(box[0].pid)
    deadline = time.monotonic() + 10
    while not watchdog.children() and time.monotonic() < deadline:
        time.sleep(0.02)
    command = watchdog.children()[0]
    box[0].kill()  # SIGKILL: the watchdog can forward nothing, so the command must end on its own
    box[0].wait()
    assert command.wait(timeout=5) is not None or not command.is_running()
