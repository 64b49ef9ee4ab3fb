"""Run a command and end it when the parent process dies: `python -m helpers.core.watchdog PID -- CMD...`."""
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def _die_with_watchdog():
    """In the command, before exec: Linux sends it SIGTERM if this watchdog dies, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def main(argv):
    """Start the command, then poll the parent every 0.2 s; forward SIGTERM to the command."""
    parent, command = int(argv[0]), argv[argv.index("--") + 1:]
    child = subprocess.Popen(command, preexec_fn=_die_with_watchdog if sys.platform == "linux" else None)
    signal.signal(signal.SIGTERM, lambda *_: child.terminate())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the command itself
    while child.poll() is None:
        if os.getppid() != parent:
            child.terminate()
            break
        time.sleep(0.2)
    try:
        return child.wait(timeout=2)
    except subprocess.TimeoutExpired:
        child.kill()
        return child.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
