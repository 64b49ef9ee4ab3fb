"""Per-session SSH keys in a private temp folder: one client key pair, one host key per host, a known_hosts file."""
import atexit
import functools
import getpass
import shutil
from pathlib import Path

from helpers.core import registry
from helpers.core.credentials import write_private
from helpers.core.folders import private_folder

PREFIX = "dis-remote-"


@functools.cache
def session_folder():
    """This kernel's private folder for topic 13 (removed at exit; swept if a killed kernel left it)."""
    folder = private_folder(PREFIX)
    atexit.register(_remove, folder)
    return folder


def _remove(folder):
    """At exit: stop the servers that use the folder, then delete it."""
    registry.stop_all()
    shutil.rmtree(folder, ignore_errors=True)


def control_folder():
    """The folder of the "control node" (this kernel): inventory, playbooks and files to copy live here."""
    folder = session_folder() / "control"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def user():
    """The learner's own user name: the SSH servers run every command as this user."""
    return getpass.getuser()


def new_key(path):
    """Write a new Ed25519 private key to path (mode 600) and its .pub beside it; return path."""
    import asyncssh  # here, not at the top: importing the course's helpers stays quick
    key = asyncssh.generate_private_key("ssh-ed25519", comment=f"{user()}@data-in-space")
    write_private(path, key.export_private_key().decode())  # 0600 before the first byte is written
    key.write_public_key(str(path) + ".pub")
    return Path(path)


@functools.cache
def client_key():
    """The session's client private key (its public half is the servers' only authorized key)."""
    return new_key(session_folder() / "client_key")


def known_hosts():
    """The session's known_hosts file: the line of each started host's key, and nothing from ~/.ssh."""
    path = session_folder() / "known_hosts"
    path.touch(mode=0o600)
    return path


def remember_host(port, host_key_path):
    """Record host_key's public half for [127.0.0.1]:port, replacing an older line for that port."""
    path, entry = known_hosts(), f"[127.0.0.1]:{port}"
    public = Path(f"{host_key_path}.pub").read_text().split()[:2]
    lines = [line for line in path.read_text().splitlines() if line.split(" ")[0] != entry]
    write_private(path, "".join(f"{line}\n" for line in [*lines, f"{entry} {' '.join(public)}"]))
