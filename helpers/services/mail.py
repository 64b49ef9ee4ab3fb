"""Email on your own machine (notebook 09): a real SMTP + IMAP + POP3 server, the email package, your own SMTP server.

The mail server is mail-devel (aiosmtpd for SMTP, pymap for IMAP, mail kept in memory only) run in a
child process; a small POP3 server reads the same inbox. It needs Python 3.11 or newer. Your own SMTP
server (`smtp_server`) is plain aiosmtpd on a loop of its own in a thread, and works on 3.10 too.

On a shared machine every account reaches 127.0.0.1, and both servers hold the learner's mail: each
makes a password at every start (`server.password`, given to the child on its stdin, never in its
command line). SMTP takes mail only after AUTH, IMAP and POP3 only after a login. AUTH runs without
TLS: the password crosses only the loopback interface, which no account but root can capture, and root
can read the server's memory anyway. The clients below log in with `server.password` by themselves.
"""
import asyncio
import base64
import email
import imaplib
import importlib.util
import json
import logging
import mimetypes
import poplib
import re
import secrets
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
import warnings
import weakref
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from helpers.core.credentials import new_secret
from helpers.core.errors import ServiceError, describe
from helpers.core.ports import HOST
from helpers.core.process import ProcessService, end_process, first_line, spawn
from helpers.core.service import ThreadService

USER = "learner"  # the one mailbox: every message sent to the server, whatever its recipient, lands here
TIMEOUT = 5.0
QUIET = ("mail.log", "mail.debug", "mail_devel", "pymap", "aiohttp", "asyncio")  # loggers that must not print
# aiosmtpd warns (in a notebook cell) when AUTH is required without TLS: on loopback that is the choice, see above
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS", category=UserWarning)


def no_mail_reason():
    """Why the mail server cannot run here, in one line, or "" where it can."""
    if sys.version_info < (3, 11):
        return f"the mail server (mail-devel) needs Python 3.11 or newer; this is Python {sys.version.split()[0]}"
    if importlib.util.find_spec("mail_devel") is None:
        return "mail-devel is not installed: reinstall the course with `make setup`"
    return ""


def _address(server, kind="smtp"):
    """The (host, port) of server's SMTP, IMAP or POP3 side; server may also be an address itself."""
    if isinstance(server, tuple):
        return server
    address = {"smtp": server.address, "imap": getattr(server, "imap_address", None),
               "pop3": getattr(server, "pop3_address", None)}[kind]
    if address is None:
        raise ServiceError(f"{server.name} has no {kind.upper()} side" if kind != "smtp" or server.running
                           else f"{server.name} is not running: start() it first")
    return address


def greeting(address, timeout=0.5):
    """The first line a server sends on a new connection (b'' if none)."""
    try:
        with socket.create_connection(address, timeout=timeout) as sock, sock.makefile("rb") as reader:
            return reader.readline(1000)
    except OSError:
        return b""


# --- the mail server: mail-devel in a child process -------------------------------------------------------

class MailServer(ProcessService):
    """mail-devel (SMTP in, IMAP out) plus POP3, in memory, in a child process on 127.0.0.1.

    `address` is the SMTP side; `imap_address` and `pop3_address` the others. One mailbox, for USER.
    """

    kind = "mail process"
    protocol = "smtp"

    def __init__(self, name="mail", port=0, imap_port=0, pop3_port=0):
        super().__init__(name)
        self.port, self.imap_port, self.pop3_port = port, imap_port, pop3_port
        self.imap_address = self.pop3_address = None
        self.password = None  # made at each start()

    @property
    def banner(self):
        """What a terminal user needs: the three addresses, the user and the password."""
        (host, smtp), imap, pop3 = self.address, self.imap_address[1], self.pop3_address[1]
        return (f"SMTP {host}:{smtp}   IMAP {host}:{imap}   POP3 {host}:{pop3}\n"
                f"user {USER}   password {self.password}   (made for this start: SMTP AUTH, IMAP and POP3 need it)\n"
                f"mail to any address lands in this one inbox, in memory only")

    def command(self):
        return [sys.executable, "-m", "helpers.services.mail", str(self.port), str(self.imap_port),
                str(self.pop3_port)]

    def ready(self):
        return (greeting(self.address).startswith(b"220") and greeting(self.imap_address).startswith(b"* OK")
                and greeting(self.pop3_address).startswith(b"+OK"))

    def _start(self):
        why = no_mail_reason()
        if why:
            raise ServiceError(why)
        self.password = new_secret()
        # the child binds port 0 itself and prints the ports it got: no race for a free port
        self.process = spawn(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        deadline = time.monotonic() + self.start_timeout
        try:
            with self.process.stdin:  # the password goes on stdin: a command line is readable by every account
                self.process.stdin.write(self.password.encode() + b"\n")
            ports = self._announced_ports(deadline)
            self.address, self.imap_address, self.pop3_address = ((HOST, ports[k]) for k in ("smtp", "imap", "pop3"))
            while not self.ready():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise ServiceError(f"{self.name} did not greet on its ports within {self.start_timeout:g} s")
                time.sleep(0.005)
        except BaseException:
            self._kill()
            raise

    def _announced_ports(self, deadline):
        """The {"smtp": port, "imap": port, "pop3": port} the child prints once it listens."""
        line = first_line(self.process, self.name, deadline)
        if not line.startswith(b"{"):
            self._kill()
            raise ServiceError(f"{self.name} exited at start: it printed {line[:80]!r} instead of its ports")
        return json.loads(line)

    def _kill(self):
        if self.process.poll() is None:
            self.process.terminate()
        end_process(self.process, 0.8)


def mail_server(name="mail", port=0):
    """A fresh mail server (SMTP on port, IMAP and POP3 on ports the OS picks); start() returns it."""
    return MailServer(name, port=port)


# --- the client side: build, send, list, fetch ---------------------------------------------------------------

def build_message(sender="learner@example.org", to="friend@example.org", subject="Hello from Python",
                  text="Hi!\n\nThis came through a real SMTP server.\n", html=None, attachments=()):
    """An EmailMessage: a text body, an optional HTML alternative, and attachments as (filename, bytes) pairs."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain="example.org")
    # non-ASCII text goes quoted-printable (=C3=BC for ü): 7-bit lines every server passes on unchanged
    # (sent as 8-bit, mail-devel re-encodes it to base64 and the wire's CRLF line ends end up in the text)
    msg.set_content(text, cte=None if text.isascii() else "quoted-printable")
    if html is not None:
        msg.add_alternative(html, subtype="html", cte=None if html.isascii() else "quoted-printable")
    for filename, data in attachments:
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        maintype, subtype = kind.split("/")
        if maintype == "text" and isinstance(data, str):
            msg.add_attachment(data, subtype=subtype, filename=filename)
        else:
            msg.add_attachment(bytes(data), maintype=maintype, subtype=subtype, filename=filename)
    return msg


def _password(server, password=None):
    """The password to log in with: the one given, else the server's own (None for an address without one)."""
    return password if password is not None else getattr(server, "password", None)


def auth_plain(password, user=USER):
    """The argument of SMTP's `AUTH PLAIN`: '\\0user\\0password' in base64 (encoded, not encrypted)."""
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def send(server, msg, password=None, timeout=TIMEOUT):
    """Send msg over SMTP with smtplib, after AUTH with the server's password; returns the refused recipients.

    ({} when all were taken.) smtplib's own errors (SMTPRecipientsRefused, SMTPSenderRefused 530 without
    AUTH, ...) reach you as they are; a server that is not there becomes one ServiceError line.
    """
    address, password = _address(server, "smtp"), _password(server, password)
    try:
        with smtplib.SMTP(*address, local_hostname="localhost", timeout=timeout) as smtp:
            if password is not None:
                smtp.login(USER, password)
            return smtp.send_message(msg)
    except smtplib.SMTPException:
        raise
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None


def _imap(server, timeout, password=None):
    """A logged-in imaplib connection with INBOX selected read-only."""
    address = _address(server, "imap")
    try:
        imap = imaplib.IMAP4(*address, timeout=timeout)
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None
    try:
        imap.login(USER, _password(server, password))
        imap.select("INBOX", readonly=True)
    except BaseException:
        imap.shutdown()
        raise
    return imap


def _header(msg, name):
    """A header as readable text ('' if missing or unreadable)."""
    try:
        return str(msg[name] or "")
    except (ValueError, TypeError, IndexError):
        return ""


def inbox(server, timeout=TIMEOUT, password=None):
    """The messages in the inbox, oldest first, over IMAP: [{uid, from, subject, date}] (date only if it has one)."""
    imap = _imap(server, timeout, password)
    try:
        _, (found,) = imap.uid("SEARCH", None, "ALL")
        if not found.split():
            return []
        _, data = imap.uid("FETCH", b",".join(found.split()), "(UID BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])")
        rows = []
        for item in data:
            if isinstance(item, tuple):
                head = email.message_from_bytes(item[1], policy=policy.default)
                row = {"uid": int(re.search(rb"UID (\d+)", item[0])[1]), "from": _header(head, "From"),
                       "subject": _header(head, "Subject"), "date": _header(head, "Date")}
                if not row["date"]:  # smtplib adds no Date header: a message sent without one has none
                    del row["date"]
                rows.append(row)
        return sorted(rows, key=lambda row: row["uid"])
    finally:
        imap.logout()


def fetch_bytes(server, uid, timeout=TIMEOUT, password=None):
    """The whole message with this IMAP uid, as the server keeps it (bytes)."""
    imap = _imap(server, timeout, password)
    try:
        _, data = imap.uid("FETCH", str(int(uid)), "(BODY.PEEK[])")
    finally:
        imap.logout()
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    raise ServiceError(f"no message with uid {uid} in the inbox")


def fetch(server, uid, timeout=TIMEOUT, password=None):
    """The message with this IMAP uid, parsed into an EmailMessage."""
    return email.message_from_bytes(fetch_bytes(server, uid, timeout, password), policy=policy.default)


def pop3_list(server, timeout=TIMEOUT, password=None):
    """What POP3 sees: [(number, size in bytes, subject)], read with poplib (it leaves the messages there)."""
    address = _address(server, "pop3")
    try:
        pop = poplib.POP3(*address, timeout=timeout)
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None
    try:
        pop.user(USER)
        pop.pass_(_password(server, password))
        rows = []
        for entry in pop.list()[1]:
            number, size = map(int, entry.split())
            head = email.message_from_bytes(b"\r\n".join(pop.top(number, 0)[1]), policy=policy.default)
            rows.append((number, size, _header(head, "Subject")))
        return rows
    finally:
        pop.quit()


def parts(msg):
    """[(content type, filename or None, decoded bytes)] of each leaf part of msg."""
    return [(part.get_content_type(), part.get_filename(), part.get_payload(decode=True))
            for part in msg.walk() if not part.is_multipart()]


# --- SMTP by hand: the conversation smtplib has for you -------------------------------------------------------

def smtp_transcript(server, sender="learner@example.org", to="friend@example.org", subject="Typed by hand",
                    body="Hello over a plain socket.", timeout=TIMEOUT, password=None):
    """Talk SMTP over a plain socket (EHLO, AUTH PLAIN, MAIL FROM, RCPT TO, DATA, ., QUIT): [(who, line)].

    who is 'C' or 'S'. AUTH PLAIN is sent with the server's password when there is one. It stops early
    (with QUIT) when the server refuses a step, so the refusal is in the transcript.
    """
    address, said, password = _address(server, "smtp"), [], _password(server, password)
    try:
        with socket.create_connection(address, timeout=timeout) as sock, sock.makefile("rb") as reader:
            def reply():
                while True:
                    line = reader.readline(1002)
                    if not line:
                        raise ConnectionError("the server closed the connection")
                    said.append(("S", line.decode("utf-8", "replace").rstrip("\r\n")))
                    if line[3:4] != b"-":  # "250-..." goes on, "250 ..." ends a reply
                        return line[:3]

            def say(line):
                said.append(("C", line))
                sock.sendall(line.encode() + b"\r\n")

            steps = [("EHLO localhost", b"250"), (f"MAIL FROM:<{sender}>", b"250"), (f"RCPT TO:<{to}>", b"250"),
                     ("DATA", b"354")]
            if password is not None:
                steps.insert(1, (f"AUTH PLAIN {auth_plain(password)}", b"235"))
            if reply() != b"220":
                return said
            for line, expected in steps:
                say(line)
                if reply() != expected:
                    break
            else:
                heads = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Date: {formatdate(localtime=True)}"]
                for line in [*heads, "", *body.splitlines()]:
                    say("." + line if line.startswith(".") else line)  # a leading dot is doubled
                say(".")
                reply()
            say("QUIT")
            reply()
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None
    return said


def format_transcript(said):
    """A transcript as text: 'C: ...' for the client, 'S: ...' for the server."""
    return "\n".join(f"{who}: {line}" for who, line in said)


# --- your own SMTP server: aiosmtpd with a handler you write ---------------------------------------------------

class Keep:
    """An aiosmtpd handler that keeps every message it accepts in .messages; extend it (handle_RCPT, ...)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        """Called after the client's final '.': keep (mail from, recipients, content) and say 250."""
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "content": envelope.original_content or envelope.content})
        return "250 Message accepted for delivery"


def quiet_loggers():
    """Keep aiosmtpd's and the asyncio libraries' log lines out of the notebook."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.CRITICAL)


class Authenticator:
    """aiosmtpd's authenticator: AUTH PLAIN or LOGIN succeeds only for USER with this password."""

    def __init__(self, password):
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (mechanism in ("PLAIN", "LOGIN") and isinstance(auth_data, LoginPassword)
              and secrets.compare_digest(auth_data.login, USER.encode())
              and secrets.compare_digest(auth_data.password, self.password))
        return AuthResult(success=ok, handled=False)


class SmtpServer(ThreadService):
    """An aiosmtpd SMTP server with your handler, on its own event loop in a thread, on 127.0.0.1.

    Mail is taken only after AUTH as USER with `password`, made at each start: the server keeps
    what it accepts, and every account on the machine can reach 127.0.0.1.
    """

    kind = "smtp thread"
    protocol = "smtp"

    def __init__(self, name="smtp", port=0, handler=None):
        super().__init__(name)
        self.port = port
        self.handler = handler if handler is not None else Keep()
        self.password = None  # made at each start()
        self._sessions = weakref.WeakSet()  # the open sessions, to end them at stop (ended ones drop out)

    @property
    def banner(self):
        """What a terminal user needs."""
        return (f"SMTP {self.address[0]}:{self.address[1]}   user {USER}   password {self.password}   "
                f"(made for this start; AUTH first)   handler {type(self.handler).__name__}")

    @property
    def messages(self):
        """What the handler kept (a Keep handler keeps every accepted message)."""
        return getattr(self.handler, "messages", [])

    def _start(self):
        quiet_loggers()
        self.password = new_secret()
        self._ready, self._error = threading.Event(), None
        self._start_thread(self._run, "loop")
        if not self._ready.wait(5) or self._error is not None:
            self._stop_thread()
            raise ServiceError(f"{self.name}: cannot listen on {HOST}:{self.port}: {self._error or 'no answer'}")

    def _stop(self):
        self._stop_thread()

    def _session(self):
        """A new aiosmtpd SMTP protocol for one client (the loop calls this on each connection)."""
        from aiosmtpd.smtp import SMTP

        self.stats.add(clients=1)
        session = SMTP(self.handler, hostname="localhost", loop=self._loop, enable_SMTPUTF8=True,
                       authenticator=Authenticator(self.password), auth_required=True, auth_require_tls=False)
        self._sessions.add(session)
        return session

    def _count_error(self, loop, context):
        self.stats.add(errors=1)

    def _run(self):
        # aiosmtpd's Controller(port=0) checks readiness on port 0 and fails; create_server reads back the real port
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.set_exception_handler(self._count_error)
        try:
            server = loop.run_until_complete(loop.create_server(self._session, HOST, self.port))
        except OSError as error:
            self._error = error
            self._ready.set()
            loop.close()
            return
        self.address = server.sockets[0].getsockname()[:2]
        loop.add_reader(self._wake_r, loop.stop)
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.remove_reader(self._wake_r)  # still readable: it would stop the loop again below
            server.close()
            for session in list(self._sessions):
                if session.transport is not None:
                    session.transport.abort()  # connected clients end now, not at their next command
            self._sessions.clear()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()


def smtp_server(name="smtp", port=0, handler=None):
    """Your own SMTP server: aiosmtpd with handler (a Keep() by default); start() returns it."""
    return SmtpServer(name, port=port, handler=handler)


# --- numbers --------------------------------------------------------------------------------------------------

def smtp_send_ms(server, count=20):
    """Median milliseconds to send one small message with smtplib (connect, EHLO, AUTH, MAIL, RCPT, DATA, QUIT)."""
    times = []
    for n in range(count):
        msg = build_message(subject=f"bench {n}", text="a short message\n")
        start = time.perf_counter()
        send(server, msg)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def imap_fetch_ms(server, count=20):
    """Median milliseconds to fetch one message with imaplib (connect, LOGIN, SELECT, UID FETCH, LOGOUT)."""
    listed = inbox(server)
    if not listed:
        send(server, build_message(subject="for imap_fetch_ms"))
        listed = inbox(server)
    uid, times = listed[-1]["uid"], []
    for _ in range(count):
        start = time.perf_counter()
        fetch_bytes(server, uid)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# --- the server side: runs in the child process (`python -m helpers.services.mail SMTP IMAP POP3`) -----------

POP3_LINE = 512  # RFC 1939 allows 255 bytes per command; longer lines end the session


async def _pop3_messages(mailboxes):
    """[(uid, raw bytes)] of the inbox, read from mail-devel's in-memory store."""
    from pymap.parsing.specials.fetchattr import FetchRequirement

    box = await (await mailboxes.get(USER)).get_mailbox("INBOX")
    found = []
    async for msg in box.messages():
        found.append((msg.uid, bytes(await msg.load_content(FetchRequirement.CONTENT))))
    return box, found


def _pop3_body(raw, lines=None):
    """A message as POP3 sends it: CRLF line ends, leading dots doubled, the final '.' line added."""
    head, sep, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    text = head + sep + b"\n".join(body.split(b"\n")[:lines]) if lines is not None else head + sep + body
    out = [b"." + line if line.startswith(b".") else line for line in text.split(b"\n")]
    return b"\r\n".join(out).rstrip(b"\r\n") + b"\r\n.\r\n"


def _pop3_handler(mailboxes, password):
    """A POP3 session (RFC 1939: USER, PASS, STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT, CAPA)."""
    async def session(reader, writer):
        def say(text):
            writer.write(text if isinstance(text, bytes) else text.encode() + b"\r\n")

        name, box, messages, deleted = None, None, None, set()
        try:
            say("+OK course POP3 server ready")
            while True:
                await writer.drain()
                line = await asyncio.wait_for(reader.readline(), 300)
                if not line:
                    return
                verb, _, arg = line.decode("latin-1").strip().partition(" ")
                verb, args = verb.upper(), arg.split()
                live = [n for n in range(1, len(messages or []) + 1) if n not in deleted]
                number = int(args[0]) if args and args[0].isdigit() else None
                if verb == "QUIT":
                    if box is not None and deleted:
                        await box.delete([messages[n - 1][0] for n in deleted])
                    say("+OK bye")
                    await writer.drain()
                    return
                if verb == "CAPA":
                    say("+OK capabilities follow\r\nUSER\r\nUIDL\r\nTOP\r\n.")
                elif verb == "NOOP":
                    say("+OK")
                elif messages is None:  # AUTHORIZATION state
                    if verb == "USER" and args:
                        name = args[0]
                        say("+OK send PASS")
                    elif verb == "PASS" and name == USER and secrets.compare_digest(arg.encode(), password.encode()):
                        box, messages = await _pop3_messages(mailboxes)
                        say(f"+OK {len(messages)} messages")
                    else:
                        name = None
                        say("-ERR USER first, then PASS (the banner of `serve mail` names them)")
                elif verb in ("STAT", "LIST", "UIDL") and not args:
                    if verb == "STAT":
                        say(f"+OK {len(live)} {sum(len(messages[n - 1][1]) for n in live)}")
                    else:
                        say(f"+OK {len(live)} messages")
                        for n in live:
                            say(f"{n} {len(messages[n - 1][1]) if verb == 'LIST' else messages[n - 1][0]}")
                        say(".")
                elif verb == "RSET":
                    deleted.clear()
                    say("+OK")
                elif number not in live:
                    say("-ERR no such message" if verb in ("LIST", "UIDL", "RETR", "TOP", "DELE") else "-ERR unknown")
                elif verb == "LIST":
                    say(f"+OK {number} {len(messages[number - 1][1])}")
                elif verb == "UIDL":
                    say(f"+OK {number} {messages[number - 1][0]}")
                elif verb == "RETR":
                    say(f"+OK {len(messages[number - 1][1])} octets")
                    say(_pop3_body(messages[number - 1][1]))
                elif verb == "TOP" and len(args) == 2 and args[1].isdigit():
                    say("+OK")
                    say(_pop3_body(messages[number - 1][1], int(args[1])))
                elif verb == "DELE":
                    deleted.add(number)
                    say(f"+OK message {number} deleted")
                else:
                    say("-ERR unknown command")
        except (OSError, ValueError, asyncio.TimeoutError, asyncio.IncompleteReadError):
            return  # a vanished, silent or far too long-winded client: end its session only
        finally:
            writer.close()
    return session


async def _serve(smtp_port, imap_port, pop3_port, password):
    """mail-devel's SMTP handler and IMAP server, and POP3, on 127.0.0.1; print the ports, serve until killed."""
    import os
    from contextlib import AsyncExitStack

    from aiosmtpd.smtp import SMTP
    from mail_devel.auth import SMTPAuthenticator
    from mail_devel.service import Service
    from proxyprotocol.reader import ProxyProtocolReader
    from pymap.imap import IMAPServer
    from pysasl import SASLAuth

    # pysasl scans every installed package's entry points on each IMAP connection (10-30 ms here): scan once
    mechanisms = list(SASLAuth._get_builtin_mechanisms())
    SASLAuth._get_builtin_mechanisms = classmethod(lambda cls: iter(mechanisms))
    os.environ["FQDN"] = "localhost"  # else pymap asks DNS for this machine's name (socket.getfqdn) on every connection
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda loop, context: None)  # a client's trouble ends only its own connection
    args = Service.parse(["--host", HOST, "--user", USER, f"--password={password}", "--no-http"])  # in-process
    service = await Service.init(args)  # the SMTP handler, the in-memory mailboxes, pymap's IMAP backend

    def smtp_session():
        return SMTP(service.handler, hostname="localhost", loop=loop, enable_SMTPUTF8=True,
                    authenticator=SMTPAuthenticator(USER, password), auth_required=True, auth_require_tls=False)

    async with AsyncExitStack() as stack:
        await service.backend.start(stack)
        imap = ProxyProtocolReader(service.config.proxy_protocol).get_callback(
            IMAPServer(service.backend.login, service.config))  # what pymap's IMAPService.start does, on port 0
        servers = {"smtp": await loop.create_server(smtp_session, HOST, smtp_port),
                   "imap": await asyncio.start_server(imap, HOST, imap_port),
                   "pop3": await asyncio.start_server(_pop3_handler(service.mailboxes, password), HOST, pop3_port,
                                                      limit=POP3_LINE)}
        print(json.dumps({k: s.sockets[0].getsockname()[1] for k, s in servers.items()}), flush=True)
        quiet = os.open(os.devnull, os.O_WRONLY)  # nobody reads our output after the ports line
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        await asyncio.Event().wait()  # until SIGTERM ends the process


if __name__ == "__main__":
    quiet_loggers()
    logging.disable(logging.CRITICAL)
    secret = sys.stdin.readline().strip()  # the parent writes the password here, never into our arguments
    if not secret:
        sys.exit("no password on stdin")
    asyncio.run(_serve(*(int(p) for p in sys.argv[1:4]), secret))
