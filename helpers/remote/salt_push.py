"""Salt's push model rebuilt small with the course's ZeroMQ helpers: a master PUBlishes a job to the minions its
target matches, each minion (an agent thread living "on" its host) runs it and PUSHes the reply back to the master.

Whoever can send a minion a job runs commands as you, so keys decide who talks to whom, as in Salt: each start
makes a CURVE key pair for the master and one per minion. A minion talks only to the holder of the master's secret
key, and the master admits only the minion keys it made (the keys `salt-key` would have accepted). Where libzmq has
no CURVE, the sockets are ipc:// files in a folder only you may open.
"""
import fnmatch
import json
import subprocess
import threading
import time
import uuid

import zmq
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils.monitor import recv_monitor_message

from helpers.core.errors import ServiceError
from helpers.core.process import end_process, spawn
from helpers.core.service import Service
from helpers.pubsub.zmq_pubsub import wait_for_subscribers
from helpers.remote.tables import host_table
from helpers.zeromq.base import WAKE_MS, address_of, bind, forget, socket

TIMEOUT = 10.0  # seconds the master waits for the minions' replies, and a command may run


def execute(function, arg, folder):
    """What a minion does with a job: test.ping, or cmd.run in its host's folder; returns (rc, output)."""
    if function == "test.ping":
        return 0, "True"
    if function == "cmd.run":
        proc = spawn(["/bin/sh", "-c", arg], cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True)  # spawn: it dies with the kernel, as the minion thread does
        try:
            output, _ = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            end_process(proc)
            return 1, f"timed out after {TIMEOUT:g} s"
        return proc.returncode, output.strip()
    return 1, f"'{function}' is not available."


def as_client(sock, keys):
    """Make sock a CURVE client (keys: master's public key, own public and secret keys); None leaves it as it is."""
    if keys is not None:
        sock.curve_serverkey, sock.curve_publickey, sock.curve_secretkey = keys
    return sock


class Accepted:
    """The master's accepted minion keys: ZeroMQ's authentication handler (ZAP) asks it at every handshake."""

    def __init__(self, keys):
        self.keys = set(keys)

    def callback(self, domain, key):
        return key in self.keys


class Minion(threading.Thread):
    """An agent thread: SUBscribed to its own topic and to 'all', it runs each job it receives and pushes the reply.

    keys = (master's public key, this minion's public key, its secret key): it then hears jobs only from the master.
    """

    def __init__(self, minion_id, folder, publisher, returns, keys=None, ctx=None):
        super().__init__(name=f"minion-{minion_id}", daemon=True)
        self.id, self.folder, self.stopping = minion_id, folder, threading.Event()
        self.sub, self.push = as_client(socket(zmq.SUB, ctx=ctx), keys), as_client(socket(zmq.PUSH, ctx=ctx), keys)
        self.sub.setsockopt(zmq.RCVTIMEO, WAKE_MS)  # wake up now and then to see whether to stop
        for topic in (f"minion:{minion_id}", "all"):
            self.sub.subscribe(topic.encode())
        self.sub.connect(publisher)
        self.push.connect(returns)

    def run(self):
        while not self.stopping.is_set():
            try:
                _, body = self.sub.recv_multipart()
                job = json.loads(body)
            except zmq.Again:
                continue
            except (zmq.ZMQError, ValueError):
                break
            started = time.perf_counter()
            try:
                rc, output = execute(job["fun"], job.get("arg", ""), self.folder)
            except Exception as error:  # a job that fails still gets an answer
                rc, output = 1, f"{type(error).__name__}: {error}"
            reply = {"jid": job["jid"], "id": self.id, "rc": rc, "return": output,
                     "ms": round((time.perf_counter() - started) * 1000, 1)}
            try:
                self.push.send(json.dumps(reply).encode())
            except zmq.ZMQError:  # the master is gone
                break
        self.sub.close(linger=0)
        self.push.close(linger=0)


class SaltModel(Service):
    """A master (XPUB for jobs, PULL for returns) and one minion thread per host folder, keyed per start."""

    kind = "zmq threads"

    def __init__(self, minions, name="salt"):
        super().__init__(name)
        self.folders, self.minions, self.published = dict(minions), [], []
        self.accepted, self.auth, self.ctx, self.pub, self.pull = {}, None, None, None, None
        self.publisher = self.returns = self.master_key = None

    def _start(self):
        self.ctx = zmq.Context()  # its own: this master's key check (ZAP handler) serves only these sockets
        try:
            self._open()
        except BaseException:
            self._stop()
            raise

    def _open(self):
        secure = zmq.has("curve")
        self.pub, self.pull = socket(zmq.XPUB, ctx=self.ctx), socket(zmq.PULL, int(TIMEOUT * 1000), ctx=self.ctx)
        self.pub.setsockopt(zmq.XPUB_VERBOSE, 1)  # every subscription counts, even a topic someone already has
        pairs = {i: zmq.curve_keypair() for i in self.folders} if secure else {}
        if secure:
            public, secret = zmq.curve_keypair()
            self.auth = ThreadAuthenticator(self.ctx)
            self.auth.start()
            self.auth.configure_curve_callback("*", Accepted(key for key, _ in pairs.values()))
            for sock in (self.pub, self.pull):  # set before bind: each connection takes them when it is made
                sock.curve_server, sock.curve_publickey, sock.curve_secretkey = True, public, secret
        self.accepted = {i: key.decode() for i, (key, _) in pairs.items()}  # what `salt-key -L` lists
        self.master_key = public.decode() if secure else None  # what each minion holds as the master's key
        transport = "tcp" if secure else "ipc"
        self.publisher, self.returns = bind(self.pub, transport, "jobs"), bind(self.pull, transport, "returns")
        self.address = address_of(self.publisher)
        self.minions = [Minion(i, folder, self.publisher, self.returns, (public, *pairs[i]) if secure else None,
                               self.ctx) for i, folder in self.folders.items()]
        for minion in self.minions:
            minion.start()
        wait_for_subscribers(self.pub, 2 * len(self.minions))  # no job is published before every minion listens

    def _stop(self):
        for minion in self.minions:
            minion.stopping.set()
        for minion in self.minions:
            minion.join(timeout=1)
        for sock in (self.pub, self.pull):
            if sock is not None:
                sock.close(linger=0)
        for endpoint in (self.publisher, self.returns):
            forget(endpoint)  # an ipc endpoint's file
        if self.auth is not None:
            self.auth.stop()
        # term() returns once every socket is closed: a minion still running a command closes its own when done
        threading.Thread(target=self.ctx.term, name=f"{self.name}-term", daemon=True).start()
        self.minions, self.auth, self.pub, self.pull = [], None, None, None

    def targets(self, target):
        """The accepted minions a glob target matches (Salt's master knows them: it accepted their keys)."""
        return [i for i in self.folders if fnmatch.fnmatch(i, target)]

    def cmd(self, target, fun, arg=""):
        """Like `salt 'TARGET' FUN ARG`: publish one job, gather the matched minions' returns as a table."""
        if not self.running:
            raise ServiceError(f"{self.name} is stopped")
        jid, matched = uuid.uuid4().hex[:12], self.targets(target)
        job = json.dumps({"jid": jid, "fun": fun, "arg": arg, "tgt": target}).encode()
        topics = ["all"] if target == "*" else [f"minion:{m}" for m in matched]  # the PUB side filters by topic
        self.published = [(topic, job.decode()) for topic in topics]
        for topic in topics:
            self.pub.send_multipart([topic.encode(), job])
        rows, deadline = [], time.monotonic() + TIMEOUT
        while len(rows) < len(matched) and time.monotonic() < deadline:
            try:
                reply = json.loads(self.pull.recv())
            except zmq.Again:
                break
            if reply["jid"] == jid:  # a late return of an older job is not this job's
                rows.append({"minion": reply["id"], "rc": reply["rc"], "return": reply["return"], "ms": reply["ms"]})
        rows += [{"minion": m, "rc": None, "return": "Minion did not return. [No response]", "ms": None}
                 for m in matched if m not in {r["minion"] for r in rows}]
        return host_table(rows, ["minion", "rc", "return", "ms"], {"rc": "Int64"})


def eavesdrop(endpoint, action, wait=0.5):
    """What a SUB socket without the master's key hears while action() publishes: (messages, handshake events)."""
    sub = socket(zmq.SUB, timeout_ms=int(wait * 1000))
    monitor = sub.get_monitor_socket()
    heard, events = [], []
    try:
        sub.subscribe(b"")  # every topic
        sub.connect(endpoint)
        time.sleep(wait)  # time to connect and subscribe, as any listener would have
        action()
        while sub.poll(int(wait * 1000)):
            heard.append(sub.recv_multipart())
        while monitor.poll(0):
            events.append(zmq.Event(recv_monitor_message(monitor)["event"]).name)
    finally:
        sub.disable_monitor()
        monitor.close(linger=0)
        sub.close(linger=0)
    return heard, [e for e in events if e.startswith("HANDSHAKE")]
