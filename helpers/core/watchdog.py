"""Run a command and end it when the parent process dies: `python -m helpers.core.watchdog PID -- CMD...`."""
import os
import signal
import subprocess
import sys
import time


def main(argv):
    """Start the command, then poll the parent every 0.2 s; forward SIGTERM to the command."""
    parent, command = int(argv[0]), argv[argv.index("--") + 1:]
    child = subprocess.Popen(command)
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
