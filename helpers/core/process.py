"""Servers that are separate programs: never daemonized, stopped at exit, killed with the kernel."""
import ctypes
import os
import select
import signal
import subprocess
import sys
import threading
import time

from helpers.core.errors import ServiceError
from helpers.core.service import Service

PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child, before exec: ask Linux to send SIGTERM when the parent dies."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(argv, **popen_args):
    """Start argv as a child that cannot outlive this process.

    Linux delivers a parent-death signal, but only while the thread that forked is alive;
    so from other threads, and on other systems, a small watchdog process stands between.
    """
    if sys.platform == "linux" and threading.current_thread() is threading.main_thread():
        return subprocess.Popen(argv, preexec_fn=_die_with_parent, **popen_args)
    watchdog = [sys.executable, "-m", "helpers.core.watchdog", str(os.getpid()), "--", *argv]
    return subprocess.Popen(watchdog, **popen_args)


def run_to_end(argv, what, timeout=30.0):
    """Run a program to its end with pipes of its own, killed after timeout s: its stdout as bytes, or a ServiceError
    naming `what` with the last line of its stderr."""
    proc = spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        end_process(proc)
        raise ServiceError(f"{what} did not finish within {timeout:g} s") from None
    if proc.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        raise ServiceError(f"{what} failed: {lines[-1] if lines else f'exit status {proc.returncode}'}")
    return out


def first_line(proc, name, deadline):
    """The first line a child prints on its stdout pipe (say, the port it bound), waiting until deadline.

    If it stays silent it is killed; if it exits, ServiceError gives the last line of its stderr.
    """
    while not select.select([proc.stdout], [], [], 0.05)[0]:
        if proc.poll() is not None or time.monotonic() > deadline:
            break
    else:
        line = proc.stdout.readline()
        if line.strip():
            return line
        try:  # its stdout ended: it is exiting, give it the time left to finish
            proc.wait(timeout=max(0.5, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        proc.kill()
        proc.wait()
        raise ServiceError(f"{name} did not announce itself before its start deadline, so it was stopped")
    error = proc.stderr.read().decode(errors="replace").strip().splitlines()
    raise ServiceError(f"{name} exited at start: {error[-1] if error else 'no message'}")


def end_process(proc, timeout=2.0):
    """Wait up to timeout for a child that was asked to end, kill it if it has not, and close its pipes."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


class ProcessService(Service):
    """A server program run as a child process; subclasses give command() and ready()."""

    kind = "process"
    start_timeout = 60.0  # a program starts in well under a second, but a class server running thirty kernels is slow

    @property
    def where(self):
        return f"pid {self.process.pid}" if self.running else ""

    def command(self):
        """The argv that runs the server."""
        raise NotImplementedError

    def ready(self):
        """True once the server answers."""
        raise NotImplementedError

    def _start(self):
        self.process = spawn(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        deadline = time.monotonic() + self.start_timeout
        while not self.ready():
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace").strip().splitlines()
                raise ServiceError(f"{self.name} exited at start: {error[-1] if error else 'no message'}")
            if time.monotonic() > deadline:
                self._kill()
                raise ServiceError(f"{self.name} did not become ready within {self.start_timeout:g} s")
            time.sleep(0.002)

    def _stop(self):
        self._kill()

    def _kill(self):
        self.process.terminate()
        end_process(self.process, timeout=0.8)
