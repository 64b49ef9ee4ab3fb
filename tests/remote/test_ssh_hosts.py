"""The SSH hosts: complete output and exit status, SFTP round trips, key-only login, known host keys, re-runs."""
import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import paramiko
import psutil
import pytest
from invoke.exceptions import CommandTimedOut, UnexpectedExit

from helpers.core.ports import is_listening
from helpers.remote import SshHost, control_folder, new_key, start_hosts


@pytest.fixture(scope="module")
def host():
    with SshHost("test-ssh-host") as running:
        yield running


def test_100_short_commands_in_a_row_arrive_complete(host):
    with host.connection() as conn:
        for n in range(100):
            result = conn.run(f"echo out{n}; echo err{n} >&2; exit {n % 7}", hide=True, warn=True)
            assert (result.stdout, result.stderr, result.exited) == (f"out{n}\n", f"err{n}\n", n % 7)


def test_a_command_runs_in_the_host_folder_with_it_as_home_and_reads_stdin(host):
    with host.connection() as conn:
        assert conn.run("pwd; echo $HOME", hide=True).stdout.split() == [str(host.folder)] * 2
        assert conn.run("wc -l", in_stream=io.StringIO("one\ntwo\nthree\n"), hide=True).stdout.strip() == "3"


def test_temp_files_go_to_the_hosts_private_folder_not_the_machines(host):
    with host.connection() as conn:
        made = conn.run("mktemp -d; python3 -c 'import tempfile; print(tempfile.mkdtemp())'", hide=True)
    made = [Path(line) for line in made.stdout.split()]
    assert len(made) == 2 and all(path.is_dir() and host.private in path.parents for path in made), made


def test_a_large_output_arrives_whole(host):
    with host.connection() as conn:
        result = conn.run("head -c 3000000 /dev/zero | tr '\\0' 'a'", hide=True)
    assert len(result.stdout) == 3_000_000 and set(result.stdout) == {"a"}


def test_put_and_get_round_trip_a_1_mb_file_byte_identical(host):
    sent, back = control_folder() / "one-mb.bin", control_folder() / "one-mb-back.bin"
    sent.write_bytes(os.urandom(1_000_000))
    with host.connection() as conn:
        conn.put(str(sent), "one-mb.bin")
        conn.get("one-mb.bin", str(back))
    assert (host.folder / "one-mb.bin").read_bytes() == sent.read_bytes() == back.read_bytes()


def test_a_wrong_key_is_refused(host):
    with pytest.raises(paramiko.AuthenticationException):
        host.connection(key=new_key(control_folder() / "wrong_key")).run("true", hide=True)


def test_an_unknown_host_key_is_refused(host):
    impostor = host.connection()
    impostor.client.get_host_keys().clear()  # as if known_hosts did not list this host
    impostor.client._system_host_keys.clear()
    impostor.client.load_host_keys(os.devnull)
    with pytest.raises(paramiko.SSHException, match="not found in known_hosts"):
        impostor.run("true", hide=True)


@pytest.mark.skipif(not shutil.which("ssh") and not os.environ.get("CI"), reason="no ssh client here")
def test_the_system_ssh_client_logs_in_with_the_printed_command(host):
    argv = host.ssh_command().split() + ["-o", "BatchMode=yes", "echo $USER in $(basename $PWD); exit 3"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert (done.stdout, done.returncode) == (f"{host.user} in {host.name}\n", 3), done.stderr


def test_a_login_without_a_command_gets_a_shell_on_a_terminal(host):
    with host.connection() as c:
        c.open()
        shell = c.client.invoke_shell(term="xterm", width=100, height=30)  # what `ssh HOST` asks for
        shell.settimeout(10)
        shell.sendall(b"stty size; tty; exit 4\n")
        seen = b""
        while chunk := shell.recv(4096):
            seen += chunk
        assert shell.recv_exit_status() == 4
    assert b"30 100" in seen and b"/dev/" in seen and b"not a tty" not in seen, seen


def test_start_hosts_again_replaces_the_running_ones(capsys):
    first = start_hosts(("test-a", "test-b"))
    ports = [h.port for h in first]
    second = start_hosts(("test-a", "test-b"))
    try:
        assert not any(h.running for h in first) and all(h.running for h in second)
        assert not any(is_listening(("127.0.0.1", p)) for p in ports if p not in [h.port for h in second])
        assert [h.connection().run("basename $PWD", hide=True).stdout.strip() for h in second] == ["test-a", "test-b"]
        assert "is stopped; this new one replaces it" in capsys.readouterr().out
    finally:
        for h in second:
            h.stop()
    assert not any(is_listening(("127.0.0.1", h.port)) for h in second)


def marked(text):
    return [p for p in psutil.process_iter(["cmdline"]) if text in " ".join(p.info["cmdline"] or [])]


def test_a_background_job_ends_with_its_command_and_stop_ends_the_server(host):
    extra = SshHost("test-ssh-stop").start()
    with extra.connection() as conn:
        conn.run("(sleep 300.5; echo late) > /dev/null 2>&1 &", hide=True)  # a job that would outlive its command
    time.sleep(0.3)
    assert marked("300.5") == []
    server = extra.process
    extra.stop()
    assert server.poll() is not None and not is_listening(extra.address)


def test_a_command_past_the_connection_timeout_raises_and_is_ended_on_the_host(host):
    conn = host.connection(timeout=1)
    started = time.monotonic()
    # invoke raises CommandTimedOut, or UnexpectedExit (no exit status) when its timer thread is still finishing
    # as it checks: a race of invoke's that a busy machine shows; either way the command was cut short
    with pytest.raises((CommandTimedOut, UnexpectedExit)):
        conn.run("sleep 41.5", hide=True)
    assert time.monotonic() - started < 20
    conn.close()  # the channel closes: the host kills what the command left
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and marked("41.5"):
        time.sleep(0.1)
    assert time.monotonic() < deadline
