"""Salt's push model rebuilt small with the course's ZeroMQ helpers: a master PUBlishes a job to the minions its
target matches, each minion (an agent thread living "on" its host) runs it and PUSHes the reply back to the master."""
import fnmatch
import json
import subprocess
import threading
import time
import uuid

import pandas as pd
import zmq

from helpers.core.errors import ServiceError
from helpers.core.process import end_process, spawn
from helpers.core.service import Service
from helpers.pubsub.zmq_pubsub import wait_for_subscribers, xpub_socket
from helpers.zeromq.base import WAKE_MS, bind, socket

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


class Minion(threading.Thread):
    """An agent thread: SUBscribed to its own topic and to 'all', it runs each job it receives and pushes the reply."""

    def __init__(self, minion_id, folder, publisher, returns):
        super().__init__(name=f"minion-{minion_id}", daemon=True)
        self.id, self.folder, self.stopping = minion_id, folder, threading.Event()
        self.sub, self.push = socket(zmq.SUB), socket(zmq.PUSH)
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
            self.push.send(json.dumps(reply).encode())
        self.sub.close(linger=0)
        self.push.close(linger=0)


class SaltModel(Service):
    """A master (XPUB for jobs, PULL for returns) and one minion thread per host folder."""

    kind = "zmq threads"

    def __init__(self, minions, name="salt"):
        super().__init__(name)
        self.folders, self.minions, self.published = dict(minions), [], []

    def _start(self):
        self.pub, self.publisher = xpub_socket()
        self.pull = socket(zmq.PULL, timeout_ms=int(TIMEOUT * 1000))
        self.returns = bind(self.pull)
        self.address = ("127.0.0.1", int(self.publisher.rsplit(":", 1)[1]))
        self.minions = [Minion(i, folder, self.publisher, self.returns) for i, folder in self.folders.items()]
        for minion in self.minions:
            minion.start()
        wait_for_subscribers(self.pub, 2 * len(self.minions))  # no job is published before every minion listens

    def _stop(self):
        for minion in self.minions:
            minion.stopping.set()
        for minion in self.minions:
            minion.join(timeout=1)
        self.pub.close(linger=0)
        self.pull.close(linger=0)

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
        return pd.DataFrame(rows, columns=["minion", "rc", "return", "ms"])
