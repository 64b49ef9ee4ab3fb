"""FTP (notebook 09): a real FTP server (pyftpdlib) on a temporary folder, and ftplib clients.

The server runs pyftpdlib's own event loop in one background thread, with a loop of its own
(never pyftpdlib's global one, so two servers in one kernel keep apart). It serves a fresh private
temporary folder (0700), removed at stop(). The user `learner`, with a password made for each start
(`server.password`), may do anything in its own folder. `anonymous` (any password) may only list and
download, as on public FTP servers, and only in a separate public folder that holds the welcome file:
on a shared machine every account reaches 127.0.0.1, and none of the learner's files is in there.

FTP uses two kinds of connection: the control connection (commands and replies, in clear text,
password included) and one new data connection for each listing or file. In passive mode (the
default) the client connects to a port the server names in its 227 reply; in active mode the
client names a port with PORT and the server connects to it.
"""
import ftplib
import io
import logging
import os
import select
import shutil
import socket
import statistics
import time
from collections import deque

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import FTPServer

from helpers.core.credentials import new_secret
from helpers.core.errors import ServiceError, describe
from helpers.core.folders import private_folder
from helpers.core.ports import HOST
from helpers.core.service import ThreadService

USER = "learner"
RECORDED_PASSWORD = "data-in-space"  # only in the recorded trace data/ftp_login.pcap: no live server accepts it
ANONYMOUS = "anonymous"
TIMEOUT = 5.0  # seconds every client call waits at most for the server
POLL = 0.05  # the server loop's longest wait: stop() returns within about this
IDLE = 60  # seconds a silent client may stay connected
PREFIX = "dis-ftp-"  # each server's folder: <temp>/dis-ftp-<pid>-<random>
WELCOME = "welcome.txt"
WELCOME_TEXT = (b"Welcome to the Data in Space FTP server.\n"
                b"This folder lives only as long as the server: it is removed when the server stops.\n")
LOG = deque(maxlen=200)  # what pyftpdlib logs at WARNING and above, kept here instead of on stderr


class _Keep(logging.Handler):
    """A logging handler that keeps formatted lines in LOG."""

    def emit(self, record):
        LOG.append(self.format(record))


def quiet_logging():
    """Send pyftpdlib's log to LOG only (WARNING and up): nothing reaches stderr, so nothing a notebook cell."""
    logger = logging.getLogger("pyftpdlib")
    # pyftpdlib.log.config_logging(level=WARNING) would add a handler on stderr, which ipykernel
    # shows in whichever cell runs; a handler of our own also stops pyftpdlib adding its default one.
    if not any(isinstance(h, _Keep) for h in logger.handlers):
        handler = _Keep()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False  # never to the root logger, whatever the notebook configured there


quiet_logging()


class CourseHandler(FTPHandler):
    """pyftpdlib's FTP handler, counting into the service's stats; a broken upload leaves no half file."""

    service = None  # set on each server's own subclass

    def on_connect(self):
        self.service.stats.add(clients=1)

    def pre_process_command(self, line, cmd, arg):
        self.service.stats.add(messages=1)
        return super().pre_process_command(line, cmd, arg)

    def on_login_failed(self, username, password):
        self.service.stats.add(errors=1)

    def on_file_sent(self, file):
        self.service.stats.add(bytes_out=_size(file))

    def on_file_received(self, file):
        self.service.stats.add(bytes_in=_size(file))
        try:
            os.chmod(file, 0o600)  # the learner's file: readable by this account only (its folder is 0700 too)
        except OSError:
            pass

    def on_incomplete_file_sent(self, file):
        self.service.stats.add(errors=1)

    def on_incomplete_file_received(self, file):
        self.service.stats.add(errors=1)
        try:
            os.remove(file)  # the client vanished mid-upload: keep no truncated file
        except OSError:
            pass


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class FtpServer(ThreadService):
    """pyftpdlib on 127.0.0.1 serving a temporary folder, in a background thread, with the course lifecycle.

    `address` is the control connection's; `root` the folder served. Passive data ports are
    chosen by the OS, on 127.0.0.1, for each transfer.
    """

    kind = "ftp thread"
    protocol = "ftp"  # what the raw console's hints assume this server speaks

    def __init__(self, name="ftp", port=0, auth_delay=1.0, password=None):
        super().__init__(name)
        self.port = port
        self.auth_delay = auth_delay  # seconds before a wrong password is answered (pyftpdlib's brake on guessing)
        self.fixed_password = password  # None: a new random password at each start (a recording passes its own)
        self.password = None  # learner's password, made at start()
        self.folder = self.root = self.public = None

    @property
    def banner(self):
        """What a terminal user needs: the address, the user and password, anonymous access, the folders."""
        host, port = self.address
        return (f"FTP {host}:{port}   user {USER}   password {self.password}   (made for this start; full rights)\n"
                f"user {ANONYMOUS}, any password: list and download only, in the public folder (the welcome file)\n"
                f"learner's folder {self.root} (private; removed when the server stops)\n"
                f"passive data ports: picked by the OS on {host}; active mode (PORT) works on loopback too\n"
                f"try: curl --netrc-file NETRC ftp://{host}:{port}/   (NETRC: a 0600 file holding "
                f"'machine {host} login {USER} password ...'; a command line shows in everyone's ps)")

    def _handler(self):
        """A handler class of this server's own: pyftpdlib reads its settings from class attributes."""
        authorizer = DummyAuthorizer()
        authorizer.add_user(USER, self.password, str(self.root), perm="elradfmwMT")  # every right there is
        authorizer.add_anonymous(str(self.public), perm="elr")  # e: cd, l: list, r: download; public folder only
        return type(f"{type(self).__name__}Handler", (CourseHandler,), {
            "service": self,
            "authorizer": authorizer,
            # the 220 greeting: data/ftp_login.pcap recorded this very line (keep its length, or record the trace again)
            "banner": "Data in Space FTP server: log in as learner, or as anonymous to read only.",
            "passive_ports": None,  # the OS picks a free port for each passive data connection
            "masquerade_address": None,  # the 227 reply names the address the client reached: 127.0.0.1
            "timeout": IDLE,
            "auth_failed_timeout": self.auth_delay,
        })

    def _start(self):
        self.password = self.fixed_password or new_secret()
        self.folder = private_folder(PREFIX)  # 0700: no other account may look in
        self.root, self.public = self.folder / "learner", self.folder / "public"
        try:
            for where in (self.root, self.public):
                where.mkdir(mode=0o700)
                (where / WELCOME).write_bytes(WELCOME_TEXT)
            self._ftpd = FTPServer((HOST, self.port), self._handler(), ioloop=IOLoop.factory())
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self.address = self._ftpd.address  # listening already: clients can connect from here on
        self._start_thread(self._serve, "ftp")

    def _serve(self):
        """pyftpdlib's loop, one poll at a time, until stop() writes to the wake socket; then close everything."""
        try:
            while not select.select([self._wake_r], [], [], 0)[0]:
                try:
                    self._ftpd.serve_forever(timeout=POLL, blocking=False, handle_exit=False)
                except Exception as error:  # a bug in a handler must not end the server
                    self.stats.add(errors=1)
                    LOG.append(f"server loop: {type(error).__name__}: {error}")
                    time.sleep(POLL)
        finally:
            self._ftpd.close_all()  # the listener, every client, every data connection

    def _stop(self):
        self._stop_thread()
        if self._thread.is_alive():  # the loop did not end in time: close its sockets from here
            self._ftpd.close_all()
        shutil.rmtree(self.folder, ignore_errors=True)


def ftp_server(name="ftp", port=0, password=None):
    """A fresh FTP server on a new temporary folder (control port on 127.0.0.1); start() returns it.

    The learner's password is new at each start (`server.password`) unless password is given.
    """
    return FtpServer(name, port=port, password=password)


# --- the client side: ftplib, always with a timeout ------------------------------------------------------------

def _address(server):
    """(host, port) of a server, or the address itself."""
    return tuple(server) if isinstance(server, (tuple, list)) else server.address


class LoopbackFTP(ftplib.FTP):
    """ftplib.FTP whose active-mode data port listens on the control connection's address (127.0.0.1).

    ftplib's own makeport() listens on every interface ("") while it waits for the server.
    """

    def makeport(self):
        host = self.sock.getsockname()[0]
        sock = socket.create_server((host, 0), family=self.af, backlog=1)
        port = sock.getsockname()[1]
        try:
            if self.af == socket.AF_INET:
                self.sendport(host, port)  # PORT 127,0,0,1,p1,p2
            else:
                self.sendeprt(host, port)
        except BaseException:
            sock.close()
            raise
        sock.settimeout(self.timeout)
        return sock


def _password(server, user, password):
    """The password to log in with: the one given, 'anonymous@' for anonymous, else the server's own."""
    if password is not None:
        return password
    if user == ANONYMOUS:
        return "anonymous@"
    known = getattr(server, "password", None)
    if known is None:
        raise ServiceError("which password? pass password=... (an FTP server's .password, shown in its banner)")
    return known


def connect(server, user=USER, password=None, passive=True, timeout=TIMEOUT, ftp_class=None):
    """A logged-in ftplib.FTP; password defaults to the server's own (`server.password`), or to 'anonymous@'.

    A refused login raises ftplib.error_perm ('530 ...'); a server that is not there, one ServiceError line.
    """
    address = _address(server)
    ftp = (ftp_class or LoopbackFTP)(timeout=timeout)
    try:
        ftp.connect(*address, timeout=timeout)
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None
    try:
        ftp.login(user, _password(server, user, password))
        ftp.set_pasv(passive)
    except OSError as error:
        ftp.close()
        raise ServiceError(describe(error, address, timeout)) from None
    except BaseException:
        ftp.close()
        raise
    return ftp


def _session(server, action, user, password, passive, timeout, ftp_class=ftplib.FTP):
    """Log in, run action(ftp), say QUIT; socket errors become one ServiceError line."""
    address = _address(server)
    ftp = connect(server, user, password, passive, timeout, ftp_class=ftp_class)
    try:
        result = action(ftp)
        ftp.quit()
        return result
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None
    finally:
        ftp.close()


def upload(server, name, data, user=USER, password=None, passive=True, timeout=TIMEOUT):
    """Store data (bytes) as file `name` with STOR; returns the server's last reply, e.g. '226 Transfer complete.'"""
    return _session(server, lambda ftp: ftp.storbinary(f"STOR {name}", io.BytesIO(bytes(data))),
                    user, password, passive, timeout)


def download(server, name, user=USER, password=None, passive=True, timeout=TIMEOUT):
    """The bytes of file `name`, fetched with RETR."""
    def retrieve(ftp):
        chunks = []
        ftp.retrbinary(f"RETR {name}", chunks.append)
        return b"".join(chunks)
    return _session(server, retrieve, user, password, passive, timeout)


def listing(server, user=USER, password=None, passive=True, timeout=TIMEOUT):
    """The folder's listing as LIST sends it: one `ls -l` style line per file."""
    def lines(ftp):
        found = []
        ftp.retrlines("LIST", found.append)
        return found
    return _session(server, lines, user, password, passive, timeout)


# --- what goes over the control connection ---------------------------------------------------------------------

class TranscriptFTP(LoopbackFTP):
    """ftplib.FTP that writes down every control line, both ways, exactly as sent: 'C: ...' and 'S: ...'.

    (ftplib's own debug output hides the password as 'PASS *****'; the wire does not.)
    """

    def __init__(self, *args, **kwargs):
        self.transcript = []
        super().__init__(*args, **kwargs)

    def putline(self, line):
        self.transcript.append(f"C: {line}")
        super().putline(line)

    def getline(self):
        line = super().getline()
        self.transcript.append(f"S: {line}")
        return line

    def makepasv(self):
        host, port = super().makepasv()
        self.transcript.append(f"-- passive mode: the client opens the data connection to {host}:{port}, "
                               "the port in the server's 227 reply")
        return host, port

    def makeport(self):
        sock = super().makeport()
        host, port = sock.getsockname()[:2]
        self.transcript.append(f"-- active mode: the client listens on {host}:{port}, the address in its PORT "
                               "command, and the server connects to it")
        return sock


def login_transcript(server, user=USER, password=None, passive=True, timeout=TIMEOUT):
    """The control connection of a login and a LIST, as lines: 'C: ' client, 'S: ' server, '-- ' data connection.

    The PASS line carries the password as typed: FTP sends it in clear text.
    """
    def list_files(ftp):
        ftp.retrlines("LIST", lambda line: ftp.transcript.append(f"-- over the data connection: {line}"))
        return ftp.transcript
    return _session(server, list_files, user, password, passive, timeout, TranscriptFTP)


def login_only(server, user=USER, password=None, timeout=TIMEOUT):
    """Log in and QUIT, nothing else (the exchange captured by capture_login); returns the transcript lines."""
    return _session(server, lambda ftp: ftp.transcript, user, password, True, timeout, TranscriptFTP)


def capture_login(server):
    """Capture a login (USER, PASS, QUIT) on the control port with 03's packets helpers.

    Where live capture is not allowed, the login still runs, one line says so, and the packets are
    the recorded trace data/ftp_login.pcap of the same exchange. `.reply` holds the transcript.
    """
    from helpers.packets.capture import capture  # scapy loads only when a capture is asked for
    return capture(lambda: login_only(server), _address(server)[1], "ftp_login")


def clear_text(packets, secret=b"PASS "):
    """[(packet number from 1, payload)] of the packets whose TCP payload holds secret in clear text.

    By default the PASS command, which carries the password: the live server's, or in the recorded
    trace the course's old fixed one.
    """
    from scapy.all import TCP, Raw
    wanted = secret.encode() if isinstance(secret, str) else secret
    return [(n, bytes(p[Raw].load)) for n, p in enumerate(packets, 1)
            if TCP in p and Raw in p and wanted in bytes(p[Raw].load)]


# --- a number for the benchmarks ---------------------------------------------------------------------------------

def ftp_1mb_ms(server, count=10, size=2**20):
    """Median milliseconds of one session that uploads then downloads 1 MB (connect, login, STOR, RETR, QUIT)."""
    data, times = os.urandom(size), []
    for n in range(count):
        name = f"bench-{n}.bin"
        start = time.perf_counter()
        ftp = connect(server)
        try:
            ftp.storbinary(f"STOR {name}", io.BytesIO(data))
            chunks = []
            ftp.retrbinary(f"RETR {name}", chunks.append)
            ftp.quit()
        finally:
            ftp.close()
        times.append((time.perf_counter() - start) * 1000)
        if b"".join(chunks) != data:
            raise ServiceError(f"the 1 MB file came back changed in round {n + 1}")
        tidy = connect(server)  # remove the file again (not timed)
        try:
            tidy.delete(name)
            tidy.quit()
        finally:
            tidy.close()
    return statistics.median(times)
