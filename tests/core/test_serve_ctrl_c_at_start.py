"""Ctrl-C while `python -m helpers serve NAME` is still starting its server: one line, exit status 130, and the
half-started server program ends with it."""
import contextlib
import signal
import subprocess
import sys
import time

import psutil


def runs(process, program):
    """True if process runs program (False once it has ended)."""
    try:
        return program in " ".join(process.cmdline())
    except psutil.Error:
        return False


def start_frozen(name, timeout=60):
    """`serve name` with its server program frozen as soon as it exists, so the start cannot finish (only that
    program: a frozen watchdog could not end it); the caller sees from the output whether it got ready first."""
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "serve", name], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    frozen, deadline = [], time.monotonic() + timeout
    while not any(runs(p, f"{name}-server") for p in frozen) and time.monotonic() < deadline:
        with contextlib.suppress(psutil.Error):  # a child may end between being listed and being frozen
            for child in psutil.Process(proc.pid).children(recursive=True):
                if child not in frozen and runs(child, f"{name}-server"):
                    child.suspend()
                    frozen.append(child)
        time.sleep(0.001)
    return proc, frozen


def test_ctrl_c_during_the_start_prints_one_line_and_exits_130():
    for _ in range(3):
        proc, frozen = start_frozen("redis")
        try:
            time.sleep(0.3)  # the start now waits for an answer that cannot come
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
            for child in frozen:
                with contextlib.suppress(psutil.Error):
                    child.resume()
        if "listening on" not in out:  # else redis answered before it was frozen: try again
            break
    assert (out, err, proc.returncode) == ("redis: interrupted while starting\n", "", 130)
    _, alive = psutil.wait_procs(frozen, timeout=10)
    assert alive == [], "the half-started redis-server outlived the command"
