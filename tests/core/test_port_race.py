"""No port race: on a shared machine another program can take a free port before a server binds it."""
import socket
import subprocess
import sys
import threading

import pytest

import helpers.core.ports as ports
from helpers.core.catalog import serve, servers
from helpers.core.client import ask
from helpers.core.errors import ServiceError
from helpers.core.ports import HOST, free_port, port_clash, retry_port_clash


def listener(port=0):
    """A socket listening on 127.0.0.1:port (another program holding that port)."""
    sock = socket.socket()
    sock.bind((HOST, port))
    sock.listen()
    return sock


def test_a_clash_is_recognised_from_an_oserror_and_from_a_programs_message():
    taken = listener()
    try:
        with socket.socket() as late, pytest.raises(OSError) as error:
            late.bind(taken.getsockname())
    finally:
        taken.close()
    assert port_clash(error.value)
    assert port_clash(ServiceError("redis exited at start: bind: Address already in use"))
    assert not port_clash(ServiceError("redis exited at start: no such file"))


def test_a_start_whose_port_was_taken_is_tried_again_on_a_new_port():
    taken, bound = listener(), []

    def start():
        port = taken.getsockname()[1] if not bound else free_port()
        sock = socket.socket()
        bound.append(port)
        sock.bind((HOST, port))
        return sock

    try:
        sock = retry_port_clash(start)
        assert bound[0] == taken.getsockname()[1] and sock.getsockname()[1] == bound[1] != bound[0]
        sock.close()
    finally:
        taken.close()


def test_any_other_failure_is_raised_at_once():
    calls = []

    def start():
        calls.append(1)
        raise ServiceError("redis exited at start: bad config")

    with pytest.raises(ServiceError, match="bad config"):
        retry_port_clash(start)
    assert len(calls) == 1


class PortThief:
    """Wraps free_port: one port in three it hands on is taken by a listener of its own first, as another
    learner's program could between free_port() and the server's bind."""

    def __init__(self):
        self.held, self.lock, self.calls = [], threading.Lock(), 0

    def __call__(self, kind=socket.SOCK_STREAM):
        port = ports.free_port(kind)
        with self.lock:
            self.calls += 1
            if self.calls % 3 == 1 and kind == socket.SOCK_STREAM:
                self.held.append(listener(port))
        return port

    def close(self):
        for sock in self.held:
            sock.close()


@pytest.fixture
def busy_machine():
    """Both cores busy with other work, as on a class server where thirty kernels run."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    yield
    for proc in burners:
        proc.kill()
        proc.wait()


def test_fifty_services_started_at_once_on_a_busy_machine_all_start(busy_machine, monkeypatch):
    servers()  # import every server module, so each one's free_port can be replaced
    thief = PortThief()
    for module in [m for name, m in sys.modules.items() if name.startswith("helpers.") and m is not ports]:
        if getattr(module, "free_port", None) is ports.free_port:
            monkeypatch.setattr(module, "free_port", thief)
    kinds = ["redis"] * 20 + ["echo"] * 15 + ["smtp"] * 5 + ["ftp"] * 5 + ["stomp"] * 5
    started, failed = {}, []
    gate = threading.Barrier(len(kinds))

    def start(n, kind):
        gate.wait()
        try:
            started[n] = serve(kind, as_name=f"race-{kind}-{n}")
        except Exception as error:
            failed.append(f"{kind} {n}: {error}")

    threads = [threading.Thread(target=start, args=(n, kind)) for n, kind in enumerate(kinds)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failed, failed
        assert len(started) == len(kinds)
        assert thief.calls >= 20, "the redis servers did not ask for a free port: the thief never got to steal"
        for n, server in started.items():
            if kinds[n] == "echo":
                assert ask(server.address, b"still here", timeout=10) == b"still here"
        redis = [s for s in started.values() if s.kind.startswith("redis")]
        assert all(s.client(timeout=10).ping() for s in redis)
    finally:
        for server in started.values():
            server.stop()
        thief.close()
