"""Waiting for a stopped server to be truly gone: its processes ended and its ports closed."""
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psutil

from helpers.core.ports import is_listening


def ended(process):
    """True if a psutil process has exited (a zombie counts: it runs nothing and holds no port)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:  # reaped between the two questions
        return True


def all_gone(processes, ports, wait=5.0):
    """True once every process has ended and none of the ports listens on 127.0.0.1, within wait seconds."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if all(map(ended, processes)) and not any(is_listening(("127.0.0.1", port)) for port in ports):
            return True
        time.sleep(0.05)
    return False


@contextmanager
def python_parent(script, prefix=(), **popen):
    """A Python process running script (which starts a server and prints its details on a line), killed after."""
    parent = subprocess.Popen([*prefix, sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2], **popen)
    try:
        yield parent
    finally:
        parent.kill()
        parent.wait()
        for stream in (parent.stdout, parent.stderr):
            if stream:
                stream.close()


def sigkill(parent):
    """Kill parent as a kernel is killed from outside: no atexit, no stop(); wait until it has ended."""
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=5)
