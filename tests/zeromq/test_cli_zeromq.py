"""The ZeroMQ servers from a terminal: `python -m helpers serve zmq-rep` and `zmq-broker`."""
import ctypes
import os
import platform
import re
import signal
import subprocess
import sys

import pytest

from helpers.core.ports import is_listening
from helpers.zeromq import zmq_ask


def start(name):
    """Run the server; return the process and the lines it printed before serving."""
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "serve", name], stdout=subprocess.PIPE, text=True)
    lines = [proc.stdout.readline()]
    if name == "zmq-broker":
        lines += [proc.stdout.readline(), proc.stdout.readline()]
    return proc, lines


def stop(proc):
    """Ctrl-C, then check it ended cleanly."""
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 0  # a busy machine (a whole test suite) can be slow to exit
    assert "stopped" in proc.stdout.read()


def test_zmq_rep_from_a_terminal_answers_stop_saying():
    proc, lines = start("zmq-rep")
    try:
        port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", lines[0]).group(1))
        assert zmq_ask(f"tcp://127.0.0.1:{port}", b"from a terminal") == [b"Stop saying: from a terminal"]
        stop(proc)
        assert not is_listening(("127.0.0.1", port))
    finally:
        proc.kill()
        proc.stdout.close()


def test_zmq_broker_prints_both_endpoints_and_its_workers_answer():
    proc, lines = start("zmq-broker")
    try:
        front = re.search(r"front .*(tcp://127\.0\.0\.1:\d+)", lines[1]).group(1)
        back = re.search(r"back .*(tcp://127\.0\.0\.1:\d+)", lines[2]).group(1)
        assert front.endswith(lines[0].split("listening on 127.0.0.1")[1].split()[0]) and front != back
        workers = {zmq_ask(front, b"hi")[0] for _ in range(4)}
        assert workers == {b"w1", b"w2"}
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 2
        stop(proc)
        assert not any(subprocess.run(["kill", "-0", pid], capture_output=True).returncode == 0 for pid in children)
    finally:
        proc.kill()
        proc.stdout.close()


def test_ctrl_c_that_reaches_a_server_thread_still_stops_the_server():
    if not hasattr(os, "sched_getaffinity"):  # Linux: tgkill aims a signal at one thread
        pytest.skip("aiming a signal at one thread needs Linux")
    proc, lines = start("zmq-rep")
    try:
        tasks = sorted(int(t) for t in os.listdir(f"/proc/{proc.pid}/task") if int(t) != proc.pid)
        assert tasks, "the server runs threads besides the main one"
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.syscall(234 if platform.machine() == "x86_64" else 131, proc.pid, tasks[-1], signal.SIGINT) == 0
        stop_after_signal(proc)
    finally:
        proc.kill()
        proc.stdout.close()


def stop_after_signal(proc):
    """The signal was sent already: the server must end cleanly on its own."""
    assert proc.wait(timeout=10) == 0
    assert "stopped" in proc.stdout.read()
