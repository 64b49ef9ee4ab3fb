"""Email: a real SMTP + IMAP + POP3 server (mail-devel), the course's clients, your own aiosmtpd server, bad clients."""
import asyncio
import email
import imaplib
import os
import poplib
import smtplib
import socket
import struct
import subprocess
import sys
import threading
import time
from contextlib import closing
from email import policy

import psutil
import pytest

from ended import all_gone
from helpers import ServiceError, free_port, stop_all
from helpers.core import registry
import helpers.services.mail as mail_module
from helpers.services.mail import (USER, Keep, auth_plain, build_message, fetch, format_transcript, imap_fetch_ms,
                                   inbox, mail_server, parts, pop3_list, send, smtp_send_ms, smtp_server,
                                   smtp_transcript)

OLD_PASSWORD = "data-in-space"  # the one fixed password every server had before: known to every classmate

ATTACHMENT = os.urandom(300_000)  # random bytes: any change on the way shows
# pytest resets warning filters for each test: repeat helpers.services.mail's (AUTH without TLS, on loopback only)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(scope="module")
def mail():
    server = mail_server().start()
    yield server
    stop_all()


@pytest.fixture
def own():
    server = smtp_server().start()
    yield server
    server.stop()


def latest(server, subject):
    """The uid of the newest inbox message with this subject."""
    return max(m["uid"] for m in inbox(server) if m["subject"] == subject)


def test_message_with_attachment_comes_back_byte_identical_in_its_parts(mail):
    subject = "Grüße from the mammoth cheese 🧀"  # non-ASCII in a header travels RFC 2047-encoded
    msg = build_message(subject=subject, text="Plain text: Grüße, ünïcödé.\nA line starting with a dot:\n.\n",
                        html="<p>HTML: <b>Grüße</b></p>\n", attachments=[("cheese.bin", ATTACHMENT)])
    assert [t for t, _, _ in parts(msg)] == ["text/plain", "text/html", "application/octet-stream"]
    assert send(mail, msg) == {}
    listed = [m for m in inbox(mail) if m["subject"] == subject]
    assert len(listed) == 1 and listed[0]["from"] == msg["From"] and listed[0]["date"] == msg["Date"]
    back = fetch(mail, listed[0]["uid"])
    assert parts(back) == parts(msg)
    assert back["Message-ID"] == msg["Message-ID"] and back["Subject"] == subject
    attachment = next(back.iter_attachments())
    assert attachment.get_filename() == "cheese.bin" and attachment.get_content() == ATTACHMENT


def test_attachment_from_a_file(mail, tmp_path):
    path = tmp_path / "poem.txt"
    path.write_bytes(b"To the mammoth cheese\r\nwe sing\n\x00\xff")  # text with odd line ends and bytes
    send(mail, build_message(subject="a file", attachments=[(path.name, path.read_bytes())]))
    back = fetch(mail, latest(mail, "a file"))
    assert next(back.iter_attachments()).get_payload(decode=True) == path.read_bytes()


def test_raw_transcript_gets_250s_and_354(mail):
    said = smtp_transcript(mail, subject="typed by hand", body="Hi!\r\n.a line that starts with a dot")
    replies = [int(line[:3]) for who, line in said if who == "S"]
    assert replies[0] == 220 and replies[-1] == 221 and replies.count(235) == 1  # 235: AUTH accepted
    assert replies.count(354) == 1 and replies[1:-1].count(250) == 9  # EHLO (6 lines), MAIL, RCPT, end of DATA
    client = [line for who, line in said if who == "C"]
    assert client[:3] == ["EHLO localhost", f"AUTH PLAIN {auth_plain(mail.password)}", "MAIL FROM:<learner@example.org>"]
    assert client[-2:] == [".", "QUIT"]
    assert "..a line that starts with a dot" in client  # dot-stuffed on the wire
    back = fetch(mail, latest(mail, "typed by hand"))
    assert back.get_content() == "Hi!\n.a line that starts with a dot\n"
    text = format_transcript(said)
    assert "C: DATA\nS: 354" in text and text.endswith("C: QUIT\nS: 221 Bye")


def test_pop3_sees_the_same_inbox(mail):
    send(mail, build_message(subject="for POP3 too"))
    listed = pop3_list(mail)
    assert [subject for _, _, subject in listed] == [m["subject"] for m in inbox(mail)]
    assert all(size > 0 for _, size, _ in listed)


def test_non_utf8_messages_are_listed_and_fetched(mail):
    raw = (b"From: caf\xe9 <a@example.org>\r\nTo: b@example.org\r\nSubject: 8-bit \xff\xfe caf\xe9\r\n"
           b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nbody \xc3\x28 caf\xe9\r\n")
    with smtplib.SMTP(*mail.address, timeout=5) as smtp:  # raw 8-bit bytes, as a sloppy mailer sends them
        smtp.login(USER, mail.password)
        assert smtp.sendmail("a@example.org", ["b@example.org"], raw) == {}
        with pytest.raises(smtplib.SMTPDataError, match="unknown encoding"):  # mail-devel cannot store these
            smtp.sendmail("a@example.org", ["b@example.org"], raw.replace(b"iso-8859-1", b"nonsense-42"))
    listed = [m for m in inbox(mail) if m["subject"].startswith("8-bit")]
    assert len(listed) == 1
    assert fetch(mail, listed[0]["uid"]).get_content() == "body \xc3( caf\xe9\n"


@pytest.mark.parametrize("user, password", [(USER, "x"), (USER, OLD_PASSWORD), ("classmate", ""),
                                            ("classmate", OLD_PASSWORD)])
def test_wrong_imap_and_pop3_logins_are_refused(mail, user, password):
    with imaplib.IMAP4(*mail.imap_address, timeout=5) as imap:
        with pytest.raises(imaplib.IMAP4.error, match="Invalid authentication"):
            imap.login(user, password or '""')
    with pytest.raises(imaplib.IMAP4.error, match="Invalid authentication"):
        inbox(mail, password=password)
    with closing(poplib.POP3(*mail.pop3_address, timeout=5)) as pop:
        pop.user(user)
        with pytest.raises(poplib.error_proto, match="-ERR"):
            pop.pass_(password)


def test_banner_names_both_ports_and_the_login(mail):
    banner = mail.banner
    for part in (str(mail.address[1]), str(mail.imap_address[1]), USER, mail.password, "SMTP", "IMAP"):
        assert part in banner


def test_each_start_makes_its_own_password_given_on_stdin_not_in_argv():
    seen = set()
    server = mail_server("mail-passwords")
    for _ in range(2):
        with server:
            assert len(server.password) >= 20 and send(server, build_message(subject="own")) == {}
            assert [m["subject"] for m in inbox(server)] == ["own"]
            child = psutil.Process(server.process.pid)
            for proc in [child, *child.children(recursive=True)]:
                assert server.password not in " ".join(proc.cmdline())
            seen.add(server.password)
    with smtp_server("own-passwords") as own:
        seen.add(own.password)
    with smtp_server("own-passwords") as own:
        seen.add(own.password)
    assert len(seen) == 4


def test_the_mail_child_will_not_start_without_a_password():
    child = subprocess.run([sys.executable, "-m", "helpers.services.mail", "0", "0", "0"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode != 0 and "no password on stdin" in child.stderr and child.stdout == ""


def test_timings(mail):
    send_ms, fetch_ms = smtp_send_ms(mail, count=5), imap_fetch_ms(mail, count=5)
    print(f"smtp_send_ms={send_ms:.2f} imap_fetch_ms={fetch_ms:.2f}")
    assert 0 < send_ms < 1000 and 0 < fetch_ms < 1000


class RefuseNobody(Keep):
    """The chapter's own SMTP server, extended: one recipient is refused."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_own_server_keeps_what_it_accepts(own):
    msg = build_message(subject="to my own server", attachments=[("a.bin", b"\x00\x01")])
    assert send(own, msg) == {}
    assert len(own.messages) == 1
    kept = own.messages[0]
    assert kept["from"] == msg["From"] and kept["to"] == [msg["To"]]
    assert b"Subject: to my own server" in kept["content"]
    assert own.stats.clients >= 1


def test_own_handler_550_reaches_smtplib():
    server = smtp_server("refusing", handler=RefuseNobody()).start()
    try:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(server, build_message(to="nobody@crappytaxidermy.com"))
        assert refused.value.recipients == {"nobody@crappytaxidermy.com": (550, b"5.1.1 no such user here")}
        assert send(server, build_message(to="nobody@crappytaxidermy.com, friend@example.org")) == {
            "nobody@crappytaxidermy.com": (550, b"5.1.1 no such user here")}  # one refused, one delivered
        assert [kept["to"] for kept in server.messages] == [["friend@example.org"]]
        said = smtp_transcript(server, to="nobody@crappytaxidermy.com")
        assert said[-4:] == [("C", "RCPT TO:<nobody@crappytaxidermy.com>"), ("S", "550 5.1.1 no such user here"),
                             ("C", "QUIT"), ("S", "221 Bye")]  # a refusal ends the conversation politely
    finally:
        server.stop()


# ---- bad clients: afterwards the next good client is served ----------------------------------------


def send_and_close(address, data, timeout=10.0):
    """Send data, close our side, read whatever comes back; the server may well hang up on us."""
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(1 << 20):
                pass
    except OSError:
        pass


def reset(sock):
    """Close with SO_LINGER 0: the peer sees a reset, as when a client crashes or its network drops."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


BAD = {
    "garbage": lambda: os.urandom(100_000),
    "ten megabytes": lambda: os.urandom(10 * 1024 * 1024),
    "ten megabytes of one line": lambda: b"A" * (10 * 1024 * 1024) + b"\r\n",
    "non-utf-8 commands": lambda: b"EHLO \xff\xfe\xc3\x28\r\nMAIL FROM:<\xe9@x>\r\na1 LOGIN \xff \xfe\r\n" * 50,
    "a message of 10 MB in DATA": lambda: (b"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"
                                           + (b"y" * 998 + b"\r\n") * 10_500 + b".\r\nQUIT\r\n"),
    "an IMAP literal announced and not sent": lambda: b"a1 LOGIN {1000000}\r\nshort",
}


def good_smtp(server, reader):
    subject = f"good after bad {time.monotonic_ns()}"
    assert send(server, build_message(subject=subject)) == {}
    return reader(subject)


def side(server, port):
    return {"smtp": server.address, "imap": server.imap_address, "pop3": server.pop3_address}[port]


@pytest.mark.parametrize("bad", list(BAD))
@pytest.mark.parametrize("port", ["smtp", "imap", "pop3"])
def test_mail_server_survives_bad_clients(mail, port, bad):
    address = side(mail, port)
    send_and_close(address, BAD[bad]())
    assert mail.process.poll() is None
    assert good_smtp(mail, lambda subject: latest(mail, subject))  # SMTP in, IMAP out: both served
    assert pop3_list(mail)


@pytest.mark.parametrize("port", ["smtp", "imap", "pop3"])
def test_mail_server_survives_vanishing_clients(mail, port):
    address = side(mail, port)
    for start in (b"", b"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhalf a message",
                  b"a1 LOGIN " + USER.encode() + b" " + mail.password.encode() + b"\r\na2 SELECT INBOX\r\na3 FETCH 1:*"):
        sock = socket.create_connection(address, timeout=2)
        sock.sendall(start + os.urandom(200_000))
        reset(sock)
    with socket.create_connection(mail.address, timeout=2), socket.create_connection(mail.imap_address, timeout=2):
        assert good_smtp(mail, lambda subject: latest(mail, subject))  # while two silent clients hang on


@pytest.mark.parametrize("bad", list(BAD))
def test_own_server_survives_bad_clients(own, bad):
    send_and_close(own.address, BAD[bad]())
    assert good_smtp(own, lambda subject: any(f"Subject: {subject}".encode() in kept["content"]
                                              for kept in own.messages))


def test_own_server_prints_nothing(own, capfd):
    for make in BAD.values():
        send_and_close(own.address, make())
    sock = socket.create_connection(own.address, timeout=2)
    sock.sendall(b"EHLO x\r\nDATA\r\n" + os.urandom(1000))
    reset(sock)
    send(own, build_message())
    own.stop()
    assert capfd.readouterr() == ("", "")  # aiosmtpd's "mail.log" and asyncio stay quiet in a notebook cell


def test_own_server_survives_vanishing_and_silent_clients(own):
    sock = socket.create_connection(own.address, timeout=2)
    sock.sendall(b"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" + os.urandom(200_000))
    reset(sock)
    with socket.create_connection(own.address, timeout=2):
        assert good_smtp(own, lambda subject: len(own.messages) == 1)


# ---- the lifecycle ------------------------------------------------------------------------------------


def test_mail_stop_leaves_nothing_running():
    server = mail_server("mail-stop").start()
    process = psutil.Process(server.process.pid)
    family = [process] + process.children(recursive=True)
    ports = [server.address[1], server.imap_address[1], server.pop3_address[1]]
    with socket.create_connection(server.address, timeout=2):  # a client still connected does not hold it up
        begin = time.monotonic()
        server.stop()
        assert time.monotonic() - begin < 3
    server.stop()  # twice is fine
    assert all_gone(family, ports)
    assert registry.get("mail-stop") is None


def test_own_server_stop_leaves_nothing_running():
    before = set(threading.enumerate())
    server = smtp_server("own-stop").start()
    port = server.address[1]
    silent = socket.create_connection(server.address, timeout=2)  # a session open at stop
    silent.recv(100)
    server.stop()
    server.stop()
    assert all_gone([], [port])
    assert set(threading.enumerate()) <= before
    assert silent.recv(100) == b""  # the server hung up on it
    silent.close()


def test_a_name_that_runs_is_replaced():
    first = mail_server("mail-twice").start()
    second = mail_server("mail-twice").start()
    try:
        assert not first.running and first.process.poll() is not None and first.replaced_by is second
        assert registry.get("mail-twice") is second
    finally:
        second.stop()


def test_a_taken_port_is_one_clear_error():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ServiceError, match="mail"):
            mail_server("mail-taken", port=port).start()
        with pytest.raises(ServiceError, match=str(port)):
            smtp_server("own-taken", port=port).start()
    assert registry.get("mail-taken") is None and registry.get("own-taken") is None


def test_fixed_free_port_is_used():
    port = free_port()
    with mail_server("mail-fixed", port=port) as server:
        assert server.address == ("127.0.0.1", port)
        assert send(server, build_message()) == {}


# ---- POP3, SMTP login, quiet servers, a loop of their own ---------------------------------------------


def test_pop3_retr_gives_the_message_and_dele_removes_it(mail):
    msg = build_message(subject="fetch me by POP3", html="<p>hi</p>", attachments=[("b.bin", os.urandom(5000))])
    send(mail, msg)
    with closing(poplib.POP3(*mail.pop3_address, timeout=5)) as pop:
        pop.user(USER)
        pop.pass_(mail.password)
        numbers = [n for n, _, subject in pop3_list(mail) if subject == "fetch me by POP3"]
        assert len(numbers) == 1
        back = email.message_from_bytes(b"\n".join(pop.retr(numbers[0])[1]), policy=policy.default)  # poplib: lines
        assert parts(back) == parts(msg)
        pop.dele(numbers[0])
        pop.quit()  # deletions happen at QUIT (the UPDATE state)
    assert "fetch me by POP3" not in [m["subject"] for m in inbox(mail)]


def test_pop3_refuses_a_wrong_password(mail):
    with closing(poplib.POP3(*mail.pop3_address, timeout=5)) as pop:
        pop.user(USER)
        with pytest.raises(poplib.error_proto):
            pop.pass_(mail.password + "x")


@pytest.mark.parametrize("which", ["mail", "own"])
def test_smtp_takes_mail_only_after_auth(mail, own, which):
    server = {"mail": mail, "own": own}[which]
    assert send(server, build_message(subject="sent after AUTH")) == {}
    with smtplib.SMTP(*server.address, local_hostname="localhost", timeout=5) as smtp:
        with pytest.raises(smtplib.SMTPSenderRefused, match="530.*Authentication required"):
            smtp.sendmail("a@example.org", ["learner@example.org"], "Subject: injected\r\n\r\nhi")
        for password in (server.password + "x", OLD_PASSWORD):
            with pytest.raises(smtplib.SMTPAuthenticationError, match="535"):
                smtp.login(USER, password)
    said = smtp_transcript(server.address, subject="injected by hand")  # an address alone: no AUTH
    assert said[-3:] == [("S", "530 5.7.0 Authentication required"), ("C", "QUIT"), ("S", "221 Bye")]
    subjects = ([m["subject"] for m in inbox(mail)] if which == "mail" else
                [line for kept in own.messages for line in kept["content"].splitlines() if line.startswith(b"Subject")])
    assert not [s for s in subjects if "injected" in str(s)] and any("sent after AUTH" in str(s) for s in subjects)


def test_a_dead_server_is_one_clear_line():
    with mail_server("mail-gone") as server:
        pass
    for call in (lambda: send(server, build_message()), lambda: inbox(server), lambda: pop3_list(server),
                 lambda: smtp_transcript(server)):
        with pytest.raises(ServiceError, match="connection refused"):
            call()


class Broken(Keep):
    """A handler with a bug: the client gets a 500 reply, the server goes on."""

    async def handle_DATA(self, server, session, envelope):
        raise ValueError("a bug in the learner's handler")


def test_servers_print_nothing_even_on_errors(mail, capfd):
    capfd.readouterr()
    with smtp_server("broken", handler=Broken()) as broken:
        with pytest.raises(smtplib.SMTPDataError) as error:
            send(broken, build_message())
        assert error.value.smtp_code == 500
        for address in (broken.address, mail.address, mail.imap_address, mail.pop3_address):
            send_and_close(address, b"\xff\xfe garbage\r\n" * 1000)
        with pytest.raises(smtplib.SMTPDataError):  # still there after the garbage, bug and all
            send(broken, build_message())
    assert send(mail, build_message(subject="quiet")) == {} and latest(mail, "quiet")
    assert capfd.readouterr() == ("", "")


def test_own_server_has_its_own_loop_beside_a_running_one():
    async def in_a_kernel():  # a notebook cell runs while the kernel's event loop runs
        with smtp_server("beside") as server:
            assert send(server, build_message(subject="from inside a running loop")) == {}  # blocks this loop
            return server.messages

    kept = asyncio.run(in_a_kernel())
    assert b"Subject: from inside a running loop" in kept[0]["content"]


def test_a_password_that_starts_with_a_dash_still_works(monkeypatch):
    monkeypatch.setattr(mail_module, "new_secret", lambda: "-dash-first-password")
    with mail_server("mail-dash") as server:
        assert server.password == "-dash-first-password"
        assert send(server, build_message()) == {}
