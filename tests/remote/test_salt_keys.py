"""Salt's minions run shell commands: only the per-start keys make a master and its minions talk.

A classmate on the same machine reaches the same 127.0.0.1 ports. Without the keys, a listener hears no job, a
forged return never reaches the master, and a publisher that is not the master cannot make a minion run anything.
"""
import json
import os
import stat
import time

import pytest
import zmq
from zmq.utils.monitor import recv_monitor_message

from helpers.remote import SaltModel
from helpers.remote.salt_push import Minion, eavesdrop
from helpers.zeromq.base import bind, socket


@pytest.fixture()
def salt(tmp_path):
    (tmp_path / "web1").mkdir()
    with SaltModel({"web1": tmp_path / "web1"}, name="test-salt-keys") as running:
        yield running


def handshakes(monitor, seconds=1.0):
    """The handshake events a socket's monitor saw within seconds."""
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        if monitor.poll(50):
            name = zmq.Event(recv_monitor_message(monitor)["event"]).name
            seen += [name] if name.startswith("HANDSHAKE") else []
    return seen


def test_each_start_makes_new_keys_and_accepts_only_its_own_minions(tmp_path):
    starts = []
    for _ in range(2):
        with SaltModel({"m1": tmp_path, "m2": tmp_path}, name="test-salt-keys-twice") as salt:
            assert zmq.has("curve") and salt.publisher.startswith("tcp://127.0.0.1:")
            assert set(salt.accepted) == {"m1", "m2"} and len(set(salt.accepted.values())) == 2
            assert set(salt.cmd("*", "test.ping")["return"]) == {"True"}
            starts.append((salt.master_key, *salt.accepted.values()))
    assert not set(starts[0]) & set(starts[1])


def test_a_listener_without_the_keys_hears_no_job(salt):
    heard, events = eavesdrop(salt.publisher, lambda: salt.cmd("*", "cmd.run", "echo private job"))
    assert heard == [] and events and all(e.startswith("HANDSHAKE_FAILED") for e in events), events
    assert list(salt.cmd("*", "cmd.run", "echo still here")["return"]) == ["still here"]


@pytest.mark.parametrize("own_keys", [False, True])
def test_a_return_pushed_without_a_minion_key_never_reaches_the_master(salt, own_keys):
    forger = socket(zmq.PUSH)
    if own_keys:  # knows the master's public key, but its own key was never accepted
        forger.curve_serverkey = salt.master_key.encode()
        forger.curve_publickey, forger.curve_secretkey = zmq.curve_keypair()
    monitor = forger.get_monitor_socket()
    try:
        forger.connect(salt.returns)
        try:
            forger.send(json.dumps({"jid": "x", "id": "web1", "rc": 0, "return": "forged", "ms": 0}).encode(),
                        zmq.NOBLOCK)
        except zmq.Again:
            pass  # no peer took it
        refused = handshakes(monitor)
        assert refused and "HANDSHAKE_SUCCEEDED" not in refused, refused
        assert not salt.pull.poll(300)
    finally:
        forger.disable_monitor()
        monitor.close(linger=0)
        forger.close(linger=0)


def publish_to_minion(folder, keys, fake_master_keys):
    """A classmate binds a publisher and sends cmd.run jobs for 1.5 s to a minion that connects to it."""
    fake, sink = socket(zmq.XPUB), socket(zmq.PULL)
    if fake_master_keys:  # a CURVE server, but with the classmate's own key pair, not the master's
        public, secret = zmq.curve_keypair()
        fake.curve_server, fake.curve_publickey, fake.curve_secretkey = True, public, secret
    publisher, returns = bind(fake), bind(sink)
    minion = Minion("web1", folder, publisher, returns, keys)
    minion.start()
    try:
        job = json.dumps({"jid": "j1", "fun": "cmd.run", "arg": "touch ran-for-a-classmate"}).encode()
        for _ in range(15):
            fake.send_multipart([b"all", job])
            time.sleep(0.1)
    finally:
        minion.stopping.set()
        minion.join(2)
        fake.close(linger=0)
        sink.close(linger=0)
    return (folder / "ran-for-a-classmate").exists()


def test_a_minion_without_keys_would_obey_any_publisher(tmp_path):
    """What the keys prevent: a keyless minion runs whatever the socket it connects to publishes."""
    assert publish_to_minion(tmp_path, None, fake_master_keys=False)


@pytest.mark.parametrize("fake_master_keys", [False, True])
def test_a_publisher_without_the_masters_secret_key_cannot_make_a_minion_run_a_command(salt, tmp_path,
                                                                                      fake_master_keys):
    keys = (salt.master_key.encode(), *zmq.curve_keypair())  # a minion as the master sets it up
    assert not publish_to_minion(tmp_path, keys, fake_master_keys)


def test_without_curve_the_endpoints_are_files_in_a_private_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(zmq, "has", lambda feature: feature == "ipc")  # a libzmq built without CURVE
    with SaltModel({"m1": tmp_path}, name="test-salt-ipc") as salt:
        assert salt.publisher.startswith("ipc://") and salt.master_key is None
        folder = os.path.dirname(salt.publisher[len("ipc://"):])
        mode = os.stat(folder)
        assert stat.S_IMODE(mode.st_mode) == 0o700 and mode.st_uid == os.getuid()
        assert list(salt.cmd("*", "cmd.run", "echo over ipc")["return"]) == ["over ipc"]
