"""Per-start secrets and private files: on a shared machine every account reaches 127.0.0.1, so a server
that can run code, write files or hold a learner's data admits only whoever holds its secret."""
import os
import secrets
import subprocess
from pathlib import Path


def new_secret(nbytes=18):
    """A fresh random password or token, URL-safe (made per start, never written into a program's arguments).

    Never one that starts with "-": a command-line parser would read it as an option.
    """
    while True:
        secret = secrets.token_urlsafe(nbytes)
        if not secret.startswith("-"):
            return secret


def write_private(path, text):
    """Write text to a new file only its owner can read (mode 0600, set before any byte is written)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        os.fchmod(out.fileno(), 0o600)  # an existing file keeps its mode through O_CREAT: set it again
        out.write(text)
    return path


def command_line(pid):
    """The command line of process pid as `ps` shows it to every account on the machine."""
    done = subprocess.run(["ps", "-ww", "-o", "args=", "-p", str(pid)], capture_output=True, text=True, timeout=10)
    return done.stdout.strip()
