"""Waiting for a stopped server to be truly gone: its processes ended and its ports closed."""
import time

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
