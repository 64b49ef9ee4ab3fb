"""Pretend machines for notebook 13: each host is an SSH server child on 127.0.0.1 with a working folder of its own.

They all run commands as the learner's own user on this one machine: the "hosts" are separate servers, ports and
folders, not separate computers or accounts.
"""
import select
import shutil
import socket
import subprocess
import sys
import time

import fabric
from paramiko import RejectPolicy

from helpers.core.errors import ServiceError
from helpers.core.ports import HOST
from helpers.core.process import ProcessService, end_process, spawn
from helpers.remote import keys

TIMEOUT = 10  # seconds for connecting and for each command a connection runs
NAMES = ("web1", "web2", "db1")


class Connection(fabric.Connection):
    """A Fabric Connection whose small packets leave at once (else each command waits ~40 ms for a delayed ACK)."""

    def open(self):
        result = super().open()
        self.transport.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return result


class SshHost(ProcessService):
    """One "host": an asyncssh server in a child process, serving the folder `folder` to the session's client key."""

    kind = "ssh process"
    label = "SSH"

    def __init__(self, name="ssh", port=0):
        super().__init__(name)
        self.port, self.wanted_port = None, port
        self.folder = keys.session_folder() / name  # where its commands run (and its HOME)
        self.private = keys.session_folder() / "servers" / name  # its host key and log, out of the learner's way
        self.key_path, self.known_hosts, self.user = keys.client_key(), keys.known_hosts(), keys.user()
        self.log_path = self.private / "server.log"

    def command(self):
        return [sys.executable, "-m", "helpers.remote.ssh_child", str(self.folder), str(self.private / "host_key"),
                f"{self.key_path}.pub", self.user, str(self.wanted_port)]

    def _start(self):
        for folder in (self.folder, self.private):  # a fresh, empty host on every start
            shutil.rmtree(folder, ignore_errors=True)
        for folder in (self.folder, self.private.parent, self.private):  # folders only you may enter
            folder.mkdir(mode=0o700, exist_ok=True)
        keys.new_key(self.private / "host_key")
        with open(self.log_path, "wb") as log:
            self.process = spawn(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
        line = self._first_line(time.monotonic() + self.start_timeout)
        self.port, self.address = int(line), (HOST, int(line))
        keys.remember_host(self.port, self.private / "host_key")

    def _first_line(self, deadline):
        """The port the child prints once it listens; else ServiceError with the last line of its log."""
        while not select.select([self.process.stdout], [], [], 0.05)[0]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                break
        else:
            line = self.process.stdout.readline().strip()
            if line.isdigit():
                return line
        self._kill()
        lines = self.log_path.read_text(errors="replace").strip().splitlines()
        raise ServiceError(f"{self.name} exited at start: {lines[-1] if lines else 'no message'}")

    def _kill(self):
        self.process.terminate()
        end_process(self.process, timeout=2)

    def connection(self, timeout=TIMEOUT, key=None):
        """A Fabric Connection to this host: the session key (or key) only, its host key checked against known_hosts."""
        config = fabric.Config(overrides={"load_ssh_configs": False, "timeouts": {"command": timeout},
                                          "run": {"in_stream": False}})  # never read this process's stdin
        conn = Connection(HOST, user=self.user, port=self.port, config=config, connect_timeout=timeout,
                                 connect_kwargs={"key_filename": str(key or self.key_path), "look_for_keys": False,
                                                 "allow_agent": False, "banner_timeout": timeout,
                                                 "auth_timeout": timeout})
        conn.client.set_missing_host_key_policy(RejectPolicy())  # an unknown host key is refused, never added
        conn.client.load_host_keys(str(self.known_hosts))
        return conn

    def ssh_command(self):
        """The command line that logs in to this host with the system's own ssh client."""
        return (f"ssh -i {self.key_path} -p {self.port} -o UserKnownHostsFile={self.known_hosts} "
                f"-o IdentitiesOnly=yes {self.user}@{HOST}")

    @property
    def banner(self):
        """What `python -m helpers serve ssh` prints under the address line."""
        return (f"log in with your own ssh client (commands run as {self.user}, in {self.folder}):\n"
                f"  {self.ssh_command()}")


def start_hosts(names=NAMES):
    """Start one SshHost per name (replacing running ones of those names) and return them in order."""
    return [SshHost(name).start() for name in names]
