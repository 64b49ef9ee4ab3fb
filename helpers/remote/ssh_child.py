"""The SSH server (asyncssh) a host runs as a child.

`python -m helpers.remote.ssh_child FOLDER HOSTKEY AUTHORIZED USER PORT`

It prints its port, then logs to stderr (which the parent sends to a log file). Key authentication only, one user;
each command runs with /bin/sh in FOLDER with HOME=FOLDER, as the user who started it; SFTP and scp work in FOLDER.
"""
import asyncio
import ctypes
import fcntl
import logging
import os
import pty
import signal
import socket
import struct
import sys
import termios

import asyncssh

CHUNK = 65536
LOGIN_TIMEOUT = 10  # a client that never finishes logging in is dropped after this many seconds


def _die_with_server():
    """In a command's child, before exec: end it when this server process ends."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _take_terminal():
    """In a login shell's child, before exec: its pseudo-terminal (stdin) becomes its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    if sys.platform == "linux":
        _die_with_server()


def _set_size(fd, width, height):
    """Tell a pseudo-terminal how many columns and rows the client's window has."""
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


class OneUser(asyncssh.SSHServer):
    """Accept the one user with the authorized key; nothing else (no password, no keyboard-interactive)."""

    def __init__(self, user, authorized):
        self.user, self.authorized, self.conn = user, authorized, None

    def connection_made(self, conn):
        self.conn = conn
        sock = conn.get_extra_info("socket")  # small packets (exit status, close) go at once, not after a delayed ACK
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        logging.info("connection from %s", conn.get_extra_info("peername"))

    def connection_lost(self, exc):
        logging.info("connection closed: %s", exc or "normally")

    def begin_auth(self, username):
        if username == self.user:
            self.conn.set_authorized_keys(self.authorized)
        return True  # always ask for a key: a wrong user simply has none that is accepted

    def password_auth_supported(self):
        return False

    def kbdint_auth_supported(self):
        return False


class Commands:
    """Runs each SSH session's command (or a shell) as a child; ends them all when the server stops."""

    def __init__(self, folder, user, tmp):
        self.folder, self.running = folder, set()
        # TMPDIR in the host's private folder, removed with it: a command ended mid-run (an Ansible module's
        # unpacked payload, say) leaves nothing in the machine's /tmp
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": folder, "USER": user, "LOGNAME": user,
                    "SHELL": "/bin/sh", "LANG": "C.UTF-8", "TMPDIR": tmp}

    async def __call__(self, process):
        if process.command is None and process.get_terminal_type():
            return await self.terminal(process)
        command = process.command or "/bin/sh -i"
        logging.info("run %r", command[:200])
        child = await asyncio.create_subprocess_shell(
            command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            cwd=self.folder, env=self.env, start_new_session=True,
            preexec_fn=_die_with_server if sys.platform == "linux" else None)
        self.running.add(child)
        feeding = asyncio.ensure_future(self.feed(process.stdin, child.stdin))
        # copy both outputs to their end (process.redirect() can lose a short command's output), unless the client
        # closes the channel first: then the command is ended
        outputs = asyncio.ensure_future(asyncio.gather(self.copy(child.stdout, process.stdout),
                                                       self.copy(child.stderr, process.stderr)))
        closed = asyncio.ensure_future(process.wait_closed())
        try:
            await asyncio.wait([outputs, closed], return_when=asyncio.FIRST_COMPLETED)
            if outputs.done() and outputs.exception() is None:
                status = await child.wait()
                process.exit(status if status >= 0 else 128 - status)
                await closed
            else:
                logging.info("client gone while running %r", command[:80])
        except (OSError, asyncssh.Error) as error:
            logging.info("client gone while running %r: %s", command[:80], error)
        finally:
            for task in (feeding, outputs, closed):
                task.cancel()
            self.end(child)

    async def terminal(self, process):
        """An interactive login (`ssh` with no command): /bin/sh on a pseudo-terminal, so it has a prompt, echo and
        Ctrl-C, as on a real machine."""
        master, slave = pty.openpty()
        _set_size(slave, *process.get_terminal_size()[:2])
        env = dict(self.env, TERM=process.get_terminal_type())
        child = await asyncio.create_subprocess_exec("/bin/sh", "-i", stdin=slave, stdout=slave, stderr=slave,
                                                     cwd=self.folder, env=env, start_new_session=True,
                                                     preexec_fn=_take_terminal)
        os.close(slave)
        self.running.add(child)
        loop, output = asyncio.get_running_loop(), asyncio.Queue()

        def readable():
            try:
                data = os.read(master, CHUNK)
            except OSError:  # the shell has ended: the terminal is gone
                data = b""
            if not data:
                loop.remove_reader(master)
            output.put_nowait(data)

        loop.add_reader(master, readable)
        typing = asyncio.ensure_future(self.typed(process, master))
        try:
            while data := await output.get():
                process.stdout.write(data)
            status = await child.wait()
            process.exit(status if status >= 0 else 128 - status)
        except (OSError, asyncssh.Error) as error:
            logging.info("client gone from its terminal: %s", error)
        finally:
            typing.cancel()
            loop.remove_reader(master)
            os.close(master)
            self.end(child)

    @staticmethod
    async def typed(process, master):
        """What the client types goes to the terminal; a resized window resizes it."""
        while True:
            try:
                data = await process.stdin.read(CHUNK)
            except asyncssh.TerminalSizeChanged as change:
                _set_size(master, change.width, change.height)
                continue
            except (OSError, asyncssh.Error):
                return
            if not data:
                return
            os.write(master, data)

    @staticmethod
    async def feed(source, sink):
        """Client's stdin to the command, until the client sends EOF."""
        try:
            while data := await source.read(CHUNK):
                sink.write(data)
                await sink.drain()
        except (OSError, asyncssh.Error):
            pass
        finally:
            sink.close()

    @staticmethod
    async def copy(source, sink):
        """The command's output to the client, to its very end."""
        while data := await source.read(CHUNK):
            sink.write(data)
            await sink.drain()

    def end(self, child):
        """Kill what is left of a command, background jobs included: its whole process group."""
        self.running.discard(child)
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def end_all(self):
        for child in list(self.running):
            self.end(child)


async def main(folder, host_key, authorized, user, port):
    tmp = os.path.join(os.path.dirname(host_key), "tmp")
    os.makedirs(tmp, mode=0o700, exist_ok=True)
    commands = Commands(folder, user, tmp)
    server = await asyncssh.create_server(
        lambda: OneUser(user, authorized), "127.0.0.1", port, server_host_keys=[host_key], process_factory=commands,
        sftp_factory=True, allow_scp=True, encoding=None, login_timeout=LOGIN_TIMEOUT, agent_forwarding=False,
        x11_forwarding=False, allow_pty=True, line_editor=False)  # the shell's terminal edits lines
    print(server.sockets[0].getsockname()[1], flush=True)
    stopping = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stopping.set)
    await stopping.wait()
    commands.end_all()
    server.close()
    logging.info("stopped")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.INFO)
    folder, host_key, authorized, user, port = sys.argv[1:6]
    os.chdir(folder)  # SFTP's relative paths start here
    asyncio.run(main(folder, host_key, authorized, user, int(port)))
    sys.stdout.flush()
    os._exit(0)
