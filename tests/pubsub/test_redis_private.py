"""The course's redis-server admits only its owner: a password per start, kept out of every command line, and a
learner's user that may not write files or take the server over."""
import socket
import stat
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

import helpers.servers.redis as redis_module
from helpers.core.errors import ServiceError
from helpers.core.ports import HOST, free_port, port_clash
from helpers.pubsub.viewer import RedisSource, StreamViewer
from helpers.servers.redis import redis_server


@pytest.fixture(scope="module")
def server():
    srv = redis_server("test-redis-private").start()
    yield srv
    srv.stop()


REFUSED = [("CONFIG", "SET", "dir", str(Path.home())), ("CONFIG", "SET", "dbfilename", "planted.txt"), ("SAVE",),
           ("BGSAVE",), ("BGREWRITEAOF",), ("DEBUG", "SLEEP", "0"), ("MODULE", "LOAD", "/tmp/evil.so"),
           ("REPLICAOF", "127.0.0.1", "1"), ("SLAVEOF", "127.0.0.1", "1"), ("ACL", "LIST"), ("SHUTDOWN", "NOSAVE"),
           ("MIGRATE", "127.0.0.1", "1", "k", "0", "100"), ("FAILOVER",), ("MONITOR",), ("CONFIG", "REWRITE")]


@pytest.mark.parametrize("command", REFUSED, ids=lambda c: " ".join(c[:2]))
def test_the_learners_own_client_may_not_write_files_or_take_the_server_over(server, command):
    with server.client() as conn, pytest.raises(redis.exceptions.NoPermissionError, match="no permissions"):
        conn.execute_command(*command)
    assert server.client().ping()  # still up: SHUTDOWN did not run


def test_what_the_lessons_use_still_works_for_the_learner(server):
    with server.client() as conn:
        assert conn.set("planet", "mars") and conn.get("planet") == "mars" and "planet" in conn.keys()
        assert conn.config_get("client-output-buffer-limit")["client-output-buffer-limit"].startswith("normal")
        assert conn.info("server")["redis_version"].startswith("6.2")
        assert conn.client_setname("me") and any(c["name"] == "me" for c in conn.client_list())
        assert conn.publish("maine coon", "fedora") == 0 and conn.xadd("cat-hats", {"cat": "persian"})
        assert conn.flushdb() and conn.dbsize() == 0


def stranger(server, **login):
    """A redis-py client with some other login, that does not retry a refused one (redis-py's default does, 3 times)."""
    return redis.Redis(*server.address, socket_timeout=5, retry=Retry(NoBackoff(), 0), **login)


def test_without_the_password_or_with_a_guess_redis_refuses_everything(server):
    with socket.create_connection(server.address, timeout=5) as sock:
        sock.sendall(b"GET planet\r\n")
        assert sock.recv(100).startswith(b"-NOAUTH")
    for guess in ("", "redis", "password", "foobared"):
        with pytest.raises(redis.AuthenticationError):
            stranger(server, password=guess or None).get("planet")
    with pytest.raises(redis.AuthenticationError):  # nor the course's own user without its password
        stranger(server, username="course", password=server.password).ping()


def test_the_passwords_are_in_no_command_line_and_only_in_a_private_file(server):
    cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes().decode()
    assert server.password not in cmdline and server._course_password not in cmdline
    folder, config = Path(server._dir), Path(server._dir) / "redis.conf"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(config.stat().st_mode) == 0o600
    assert server.password in config.read_text()


def test_each_start_makes_new_passwords_and_removes_its_folder():
    first = redis_server("test-redis-private-a").start()
    second = redis_server("test-redis-private-b").start()
    try:
        assert len({first.password, second.password, first._course_password, second._course_password}) == 4
        assert len(first.password) >= 20
    finally:
        first.stop()
        second.stop()
    assert not Path(first._dir).exists() and not Path(second._dir).exists()


def test_the_stream_viewers_publisher_gets_the_password_in_its_environment_not_its_arguments(server):
    view = StreamViewer(RedisSource(server), name="test-private-viewer", rate=50).start()
    try:
        pid = view.publisher.pid
        assert server.password not in Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        assert f"REDISCLI_AUTH={server.password}".encode() in Path(f"/proc/{pid}/environ").read_bytes()
    finally:
        view.stop()


def test_a_port_another_program_holds_is_recognised_as_a_clash():
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        with pytest.raises(ServiceError, match="Address already in use") as caught:
            redis_server("test-redis-clash", port=taken.getsockname()[1]).start()
    assert port_clash(caught.value)


def test_a_start_whose_port_was_taken_starts_again_on_another(monkeypatch):
    taken = socket.socket()
    taken.bind((HOST, 0))
    taken.listen()
    handed = []

    def first_the_taken_port():
        handed.append(taken.getsockname()[1] if not handed else free_port())
        return handed[-1]

    monkeypatch.setattr(redis_module, "free_port", first_the_taken_port)
    try:
        with redis_server("test-redis-retry") as srv:
            assert srv.address[1] == handed[1] != handed[0] and srv.client().ping()
    finally:
        taken.close()
    assert len(handed) == 2
