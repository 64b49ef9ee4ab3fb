"""FTP: a real pyftpdlib server and ftplib clients: round trips, logins, clear-text passwords, bad clients, stop."""
import ftplib
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import psutil
import pytest

from helpers.core.errors import ServiceError
from helpers.core.ports import is_listening
from helpers.packets.capture_check import FORCE_OFF, capture_allowed
from helpers.services.ftp import (LOG, RECORDED_PASSWORD, USER, WELCOME, WELCOME_TEXT, capture_login, clear_text,
                                  connect, download, ftp_1mb_ms, ftp_server, listing, login_transcript, upload)

MB = os.urandom(1024 * 1024)  # random bytes: any change on the way (a text-mode transfer, a lost block) shows


@pytest.fixture
def server():
    with ftp_server(name="ftp-test") as running:
        yield running


def names(server, **login):
    """The file names in the server's folder, read from its LIST lines."""
    return [line.split(maxsplit=8)[-1] for line in listing(server, **login)]


def good_client_served(server):
    """A fresh client logs in, uploads, lists and downloads."""
    data = os.urandom(1000)
    upload(server, "good.bin", data)
    return "good.bin" in names(server) and download(server, "good.bin") == data


def eventually(check, wait=2.0):
    """True once check() is, within wait seconds."""
    deadline = time.monotonic() + wait
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def listening_ports():
    """Ports this process listens on."""
    return {c.laddr.port for c in psutil.Process().net_connections("tcp") if c.status == psutil.CONN_LISTEN}


# --- round trips ---------------------------------------------------------------------------------------

def test_one_megabyte_binary_file_round_trips_byte_identical(server):
    assert upload(server, "random.bin", MB).startswith("226")
    assert os.path.getsize(os.path.join(server.root, "random.bin")) == len(MB)  # really on the server's disk
    assert download(server, "random.bin") == MB
    line = next(line for line in listing(server) if line.endswith(" random.bin"))
    assert f" {len(MB)} " in line


def test_active_mode_round_trip(server):
    upload(server, "active.bin", MB, passive=False)  # PORT: the server connects back to the client
    assert download(server, "active.bin", passive=False) == MB
    ftp = connect(server, passive=False)
    try:
        with ftp.makeport() as waiting:  # the port the client offers the server with PORT
            assert waiting.getsockname()[0] == "127.0.0.1"  # ftplib's own would listen on every interface
    finally:
        ftp.close()  # no QUIT: the server's reply about the data connection may come first


def test_new_server_starts_with_the_welcome_file_only(server):
    assert names(server) == [WELCOME]
    assert download(server, WELCOME, user="anonymous") == WELCOME_TEXT


def test_wrong_password_is_refused_with_530(server):
    with pytest.raises(ftplib.error_perm, match=r"^530"):
        listing(server, password="not-" + server.password)
    with pytest.raises(ftplib.error_perm, match=r"^530"):
        listing(server, user="nobody", password=server.password)
    assert good_client_served(server)


def test_the_old_well_known_password_is_refused(server):
    with pytest.raises(ftplib.error_perm, match=r"^530 Authentication failed"):
        listing(server, password=RECORDED_PASSWORD)


def test_each_start_makes_its_own_password():
    seen = set()
    server = ftp_server(name="ftp-passwords")
    for _ in range(3):
        with server:
            assert len(server.password) >= 20 and server.password in server.banner
            assert good_client_served(server)
            seen.add(server.password)
    with ftp_server(name="ftp-passwords-2") as other:
        seen.add(other.password)
    assert len(seen) == 4


def test_the_password_is_in_no_command_line(server):
    for proc in psutil.process_iter(["cmdline"]):
        assert server.password not in " ".join(proc.info["cmdline"] or [])


def test_folders_and_uploads_are_private(server):
    for folder in (server.folder, server.root, server.public):
        assert os.stat(folder).st_mode & 0o777 == 0o700
    upload(server, "mine.bin", b"x")
    assert os.stat(server.root / "mine.bin").st_mode & 0o777 == 0o600


def test_an_address_alone_needs_a_password(server):
    with pytest.raises(ServiceError, match="which password"):
        listing(server.address)
    assert WELCOME in names(server.address, password=server.password)


def test_anonymous_reads_only_the_public_folder_and_writes_nothing(server):
    upload(server, "mine.bin", MB[:5000])
    assert names(server, user="anonymous") == [WELCOME]  # the learner's upload is not there
    assert download(server, WELCOME, user="anonymous") == WELCOME_TEXT
    with pytest.raises(ftplib.error_perm, match=r"^550"):
        download(server, "mine.bin", user="anonymous")
    with pytest.raises(ftplib.error_perm, match=r"^550"):
        upload(server, "intruder.bin", b"nope", user="anonymous")
    with connect(server, user="anonymous") as ftp:
        for refused in (f"DELE {WELCOME}", "MKD new", f"RNFR {WELCOME}", "CWD ../learner", "RETR ../learner/mine.bin"):
            with pytest.raises(ftplib.error_perm, match=r"^550"):
                ftp.sendcmd(refused)
        assert ftp.nlst("/") == [WELCOME] and ftp.nlst("..") == [WELCOME]  # its root is the public folder
    assert not os.path.exists(os.path.join(server.root, "intruder.bin"))
    assert not os.path.exists(os.path.join(server.public, "intruder.bin"))
    assert download(server, "mine.bin") == MB[:5000]


def test_learner_has_full_rights(server):
    upload(server, "a.txt", b"a")
    with connect(server) as ftp:
        ftp.mkd("folder")
        ftp.rename("a.txt", "folder/b.txt")
        assert ftp.nlst("folder") == ["b.txt"]
        ftp.delete("folder/b.txt")
        ftp.rmd("folder")
    assert names(server) == [WELCOME]


def test_login_transcript_shows_the_password_in_clear_text(server):
    upload(server, "listed.bin", b"x")
    lines = login_transcript(server)
    said = [line for line in lines if line[:3] in ("C: ", "S: ")]  # the control connection, both sides
    assert said[0].startswith("S: 220")
    assert said[1:5] == [f"C: USER {USER}", "S: 331 Username ok, send password.", f"C: PASS {server.password}",
                         "S: 230 Login successful."]
    assert said[-2:] == ["C: QUIT", "S: 221 Goodbye."]
    assert any(line.startswith("S: 227 Entering passive mode (127,0,0,1,") for line in said)
    assert said.index("C: PASV") < said.index("C: LIST") and any(line.startswith("S: 226") for line in said)
    data = [line for line in lines if line.startswith("-- over the data connection")]
    assert any(line.endswith(" listed.bin") for line in data)  # the listing itself comes over the other connection
    with pytest.raises(ftplib.error_perm, match="^530"):
        login_transcript(server, password="guess")


def test_password_really_travels_in_clear_on_the_socket(server):
    sock = socket.create_connection(server.address, timeout=5)
    with sock, sock.makefile("rb") as reader:
        assert reader.readline().startswith(b"220")
        sock.sendall(f"USER {USER}\r\n".encode())
        assert reader.readline().startswith(b"331")
        sock.sendall(f"PASS {server.password}\r\n".encode())  # these bytes are what a capture would show
        assert reader.readline().startswith(b"230")


def test_clients_fail_with_one_clear_line_when_nothing_listens(server):
    address = server.address
    server.stop()
    with pytest.raises(ServiceError, match="nothing is listening"):
        listing(address, timeout=1)


def test_stats_count_clients_commands_and_bytes(server):
    upload(server, "s.bin", MB[:100_000])
    download(server, "s.bin")
    stats = server.stats.as_dict()
    assert stats["clients"] == 2 and stats["messages"] >= 8  # USER, PASS, TYPE, PASV, STOR/RETR, QUIT ...
    assert stats["bytes_in"] == 100_000 and stats["bytes_out"] == 100_000 and stats["errors"] == 0
    with pytest.raises(ftplib.error_perm):
        listing(server, password="wrong")
    assert eventually(lambda: server.stats.errors == 1)  # counted just after the 530 reply went out


def test_ftp_1mb_ms_is_a_number(server):
    ms = ftp_1mb_ms(server, count=3)
    assert 0 < ms < 5000


def test_banner_names_address_user_password_and_anonymous(server):
    host, port = server.address
    assert f"{host}:{port}" in server.banner and USER in server.banner and server.password in server.banner
    assert "anonymous" in server.banner


# --- bad clients on the control port: afterwards, a good client is served ----------------------------------

def send_and_close(address, data, timeout=10.0):
    """Send data, close our side, read whatever comes back; the server may hang up on us."""
    got = []
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(1 << 20):
                got.append(chunk)
    except OSError:
        pass
    return b"".join(got)


def reset(sock):
    """Close with SO_LINGER 0: the peer sees a reset, as when a client crashes or its network drops."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_garbage_bytes(server, capfd):
    send_and_close(server.address, os.urandom(100_000))
    replies = send_and_close(server.address, b"\x00\xff\xfe garbage\r\n" * 50)
    assert replies.startswith(b"220") and replies.count(b"\r\n500 ") == 50
    assert good_client_served(server)
    assert capfd.readouterr() == ("", "")  # pyftpdlib's log stays out of stdout and stderr (a notebook cell)


def test_ten_megabytes_on_the_control_port(server, capfd):
    replies = send_and_close(server.address, os.urandom(10 * 1024 * 1024))
    assert replies.count(b"500 Command too long.") > 100  # one per read without a line end: warnings kept in LOG
    assert any("Command too long" in line for line in LOG)
    send_and_close(server.address, b"USER " + b"x" * (10 * 1024 * 1024) + b"\r\n")
    assert good_client_served(server)
    assert capfd.readouterr() == ("", "")


def test_non_utf8_commands(server):
    replies = send_and_close(server.address, b"USER \xff\xfe\xc3\x28\r\nPASS \x80\x81\r\nLIST \xe9t\xe9\r\nQUIT\r\n")
    assert replies.startswith(b"220") and b"\r\n530 " in replies and replies.rstrip().endswith(b"221 Goodbye.")
    with connect(server) as ftp:
        for command in (b"CWD \xff\xfe\r\n", b"RETR caf\xe9.txt\r\n", b"MKD \xc3\r\n"):
            ftp.sock.sendall(command)  # bytes no UTF-8 decoder accepts, straight onto the control connection
            assert ftp.getline()[:1] in ("5", "2")  # an answer (most likely 550), not a crash
        upload(server, "café ünïcødé.txt", b"utf-8 names work")  # and proper UTF-8 names are fine
    assert "café ünïcødé.txt" in names(server)
    assert good_client_served(server)


def test_silent_client_does_not_block_others(server):
    with socket.create_connection(server.address, timeout=5):
        assert good_client_served(server)


def test_client_vanishing_mid_command(server):
    sock = socket.create_connection(server.address, timeout=5)
    sock.recv(100)
    sock.sendall(b"USER lear")  # half a command, then a reset
    reset(sock)
    assert good_client_served(server)


def test_client_vanishing_mid_upload(server):
    ftp = connect(server)
    data_sock = ftp.transfercmd("STOR torn.bin")
    data_sock.sendall(MB[:300_000])
    reset(data_sock)  # both connections reset in the middle of the upload
    reset(ftp.sock)
    ftp.file.close()
    assert good_client_served(server)
    # FTP's stream mode ends a file by closing the data connection: a reset there can pass for the end of
    # the file. Whichever connection the server notices first, it keeps at most what arrived.
    torn = os.path.join(server.root, "torn.bin")
    assert not os.path.exists(torn) or os.path.getsize(torn) <= 300_000


def test_client_vanishing_mid_download(server):
    upload(server, "big.bin", MB * 4)
    ftp = connect(server)
    data_sock = ftp.transfercmd("RETR big.bin")
    data_sock.recv(1000)  # take a little, then vanish while the server is still sending
    reset(data_sock)
    reset(ftp.sock)
    ftp.file.close()
    assert good_client_served(server)


# --- the lifecycle ------------------------------------------------------------------------------------------

def test_stop_leaves_no_thread_port_or_folder():
    before_threads, before_ports = set(threading.enumerate()), listening_ports()
    server = ftp_server(name="ftp-stop").start()
    root, address = server.folder, server.address
    assert os.path.isdir(root) and is_listening(address)
    upload(server, "x.bin", MB)
    busy = connect(server)  # a logged-in client and an open passive port, still there at stop()
    busy.sendcmd("TYPE I")
    _, passive_port = busy.makepasv()
    bound = [c.laddr for c in psutil.Process().net_connections("tcp")
             if c.status == psutil.CONN_LISTEN and c.laddr.port == passive_port]
    assert [ip for ip, _ in bound] == ["127.0.0.1"]  # the passive data port listens on loopback only
    start = time.perf_counter()
    server.stop()
    took = time.perf_counter() - start
    server.stop()  # safe twice
    busy.close()
    assert took < 0.5, f"stop() took {took:.3f} s"
    assert not os.path.exists(root)
    assert not is_listening(address)
    assert listening_ports() <= before_ports  # neither the control port nor any passive port is left
    assert set(threading.enumerate()) <= before_threads


def test_folders_of_dead_processes_are_swept_at_start(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # look only here, not in the real /tmp
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process that has ended: like a killed kernel, it never called stop()
    orphan = tmp_path / f"dis-ftp-{gone.pid}-abc"
    (orphan / "sub").mkdir(parents=True)
    (orphan / "sub" / "left.bin").write_bytes(b"x")
    alive = tmp_path / f"dis-ftp-{os.getpid()}-def"  # this process lives: its folder stays
    alive.mkdir()
    other = tmp_path / "dis-ftp-notes"  # not a server's folder
    other.mkdir()
    with ftp_server(name="ftp-sweep") as server:
        assert server.folder.parent == tmp_path and server.folder.name.startswith(f"dis-ftp-{os.getpid()}-")
        assert not orphan.exists() and alive.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["dis-ftp-notes", alive.name])


def test_two_servers_keep_apart():
    one, two = ftp_server(name="ftp-one").start(), ftp_server(name="ftp-two").start()
    try:
        assert one.root != two.root
        upload(one, "only-here.bin", b"1")
        assert "only-here.bin" not in names(two)
        one.stop()  # each has an event loop of its own: stopping one closes none of the other's sockets
        assert good_client_served(two)
    finally:
        one.stop()
        two.stop()


def test_a_name_that_runs_is_replaced():
    first = ftp_server(name="ftp-twice").start()
    second = ftp_server(name="ftp-twice").start()
    try:
        assert not first.running and first.replaced_by is second and not os.path.exists(first.folder)
        assert good_client_served(second)
    finally:
        second.stop()


def test_a_fresh_process_prints_nothing_even_for_bad_clients():
    """pyftpdlib configures logging to stderr on its first loop unless someone did: the helpers did."""
    code = ("import sys; from helpers.services.ftp import ftp_server\n"
            "s = ftp_server().start(); print(s.address[1], flush=True)\n"
            "sys.stdin.read(); s.stop()")
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        address = ("127.0.0.1", int(child.stdout.readline()))
        send_and_close(address, os.urandom(100_000))  # "500 Command too long." warnings
        with pytest.raises(ftplib.error_perm, match="^530"):
            listing(address, password="wrong")
        assert WELCOME in names(address, user="anonymous")
    finally:
        out, err = child.communicate("", timeout=10)
    assert child.returncode == 0 and out == "" and err == ""


def test_a_live_capture_of_the_login_holds_the_password_in_clear(server):
    if not capture_allowed():
        pytest.skip("live capture needs root or CAP_NET_RAW (the recorded trace is tested below)")
    shown = capture_login(server)
    assert shown.live and shown.whole and shown.port == server.address[1]
    assert f"C: PASS {server.password}" in shown.reply
    assert [payload for _, payload in clear_text(shown.packets)] == [f"PASS {server.password}\r\n".encode()]


def test_without_capture_rights_the_recorded_login_is_shown(server, monkeypatch, capsys):
    monkeypatch.setenv(FORCE_OFF, "off")  # as on Binder: no root, no CAP_NET_RAW
    shown = capture_login(server)
    assert not shown.live and shown.source == "data/ftp_login.pcap" and shown.whole
    said = capsys.readouterr().out
    assert said.count("\n") == 1 and "data/ftp_login.pcap" in said  # one line says why
    assert f"C: PASS {server.password}" in shown.reply  # the login itself still ran, against the live server
    # the trace was recorded once with the course's old fixed password, which no live server accepts
    assert [payload for _, payload in clear_text(shown.packets)] == [f"PASS {RECORDED_PASSWORD}\r\n".encode()]


def test_active_mode_transcript_and_a_loopback_only_client_port(server):
    said = login_transcript(server, passive=False)
    port_line = next(line for line in said if line.startswith("C: PORT 127,0,0,1,"))
    assert said[said.index(port_line) + 1] == "S: 200 Active data connection established."
    assert any(line.startswith("-- active mode: the client listens on 127.0.0.1:") for line in said)  # not 0.0.0.0
    assert "C: PASV" not in said and said[-2:] == ["C: QUIT", "S: 221 Goodbye."]
