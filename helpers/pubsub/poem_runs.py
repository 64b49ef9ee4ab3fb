"""Exercise 17.5's runs: your publisher and consumers on a fresh endpoint, each in a thread the course can end."""
import gc
import textwrap
import threading
import time
import traceback

import zmq

from helpers.core.learner import LearnerCall, printed_by
from helpers.core.ports import HOST, free_port, is_listening
from helpers.pubsub.poem_rules import END, poem_words
from helpers.zeromq.base import socket

LATE = 1.2  # seconds: in one run a consumer joins this late (longer than the chapter's sleep(1))
RUN_LIMIT = 2.5  # seconds a run may take after its last function started, before the checker steps in


def free_endpoint():
    """A tcp endpoint on 127.0.0.1 with a port that is free right now.

    Your publisher binds it, and your consumers may connect before it does, so it cannot come from binding
    port 0: a run whose publisher found the port taken (and still held once your functions ended: another
    program's) is run again on a new one.
    """
    return f"tcp://{HOST}:{free_port()}"


class Call(LearnerCall):
    """One of your functions in a run: besides what it returned or raised, what it printed and how it ended."""

    def __init__(self, name, function, *args):
        super().__init__(name, function, *args, prefix="poem-")
        self.in_time = False  # it had ended by itself when the run's time was up
        self.stuck = False  # it could not be ended
        self._printed = None

    @property
    def not_written(self):
        """True if it raised NotImplementedError."""
        return isinstance(self.error, NotImplementedError)

    @property
    def error_in(self):
        """The name of the function that raised its error."""
        frames = [frame for frame, _ in traceback.walk_tb(self.error.__traceback__)]
        return frames[-1].f_code.co_name if frames else self.name

    @property
    def printed(self):
        """What it printed, as it printed it."""
        return self._printed.text(self.thread) if self._printed else ""

    def start(self, printed):
        self._printed = printed
        printed.watch(self.thread)
        return super().start()


class Probe:
    """The checker's own subscriber: it records exactly what the publisher sent, up to the end marker."""

    def __init__(self, endpoint, limit):
        self.endpoint, self.limit, self.got, self.ended = endpoint, limit, [], False
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._listen, name="poem-probe", daemon=True)

    @property
    def alive(self):
        return self.thread.is_alive()

    def start(self, printed=None):
        self.thread.start()

    def _listen(self):
        with socket(zmq.SUB) as sub:
            sub.connect(self.endpoint)
            sub.subscribe(b"")
            while not self.stop.is_set() and len(self.got) < self.limit:
                if sub.poll(50):
                    message = sub.recv()
                    if message == END:
                        self.ended = True
                        return
                    self.got.append(message)


def end_publisher(call, endpoint, wait=0.6):
    """End a publisher thread that did not return; a subscription wakes an XPUB stuck in recv()."""
    call.end(within=0)  # SystemExit, raised as soon as the thread runs Python code again
    with socket(zmq.SUB) as poke:
        poke.connect(endpoint)
        deadline = time.monotonic() + wait
        while call.alive and time.monotonic() < deadline:
            poke.subscribe(b"poke")
            poke.unsubscribe(b"poke")
            call.thread.join(0.05)


def bind_when_free(endpoint, wait=0.6):
    """An XPUB socket bound at endpoint once the publisher's socket is gone, or None."""
    xpub, deadline = socket(zmq.XPUB), time.monotonic() + wait
    xpub.setsockopt(zmq.XPUB_VERBOSE, 1)
    while True:
        try:
            xpub.bind(endpoint)
            return xpub
        except zmq.ZMQError:
            if time.monotonic() > deadline:
                xpub.close()
                return None
            gc.collect()  # a socket that only a dead frame still holds is closed when it is collected
            time.sleep(0.05)


def end_consumers(calls, endpoint, wait=0.6, wake=1.5):
    """Send the end marker again, from a publisher of the checker's, to consumers still waiting; end the rest."""
    xpub = bind_when_free(endpoint)
    try:
        if xpub is not None:
            joined, deadline = 0, time.monotonic() + wait
            while joined < len(calls) and xpub.poll(max(1, int((deadline - time.monotonic()) * 1000))):
                joined += xpub.recv()[:1] == b"\x01"  # they reconnect on their own, and subscribe again
            for _ in range(3):
                xpub.send(END)
                time.sleep(0.02)
            deadline = time.monotonic() + 0.3
            for call in calls:
                call.thread.join(max(0.0, deadline - time.monotonic()))
        for call in calls:
            if call.alive:
                call.end(within=0)
        deadline = time.monotonic() + wake  # a busy machine takes a while to reconnect a waiting consumer
        while any(c.alive for c in calls) and time.monotonic() < deadline:
            if xpub is not None:
                xpub.send(END)  # a thread blocked in recv() runs Python code again, and so ends
            time.sleep(0.05)
    finally:
        if xpub is not None:
            xpub.close()


def still_bound(endpoint, wait=0.5):
    """True if something still listens at endpoint after wait s (collecting garbage sockets meanwhile)."""
    address, deadline = (HOST, int(endpoint.rsplit(":", 1)[1])), time.monotonic() + wait
    while is_listening(address):
        if time.monotonic() > deadline:
            return True
        gc.collect()
        time.sleep(0.05)
    return False


class Run:
    """One run on a fresh endpoint: your publisher, your two consumers and (in a check) the checker's subscriber."""

    def __init__(self, publish, consumers, words, publisher_first=True, late=None, probe=True):
        self.endpoint, self.words = free_endpoint(), list(words)
        self.consumers = {name: Call(name, function, self.endpoint) for name, function in consumers.items()}
        self.probe = Probe(self.endpoint, 4 * len(self.words) + 10) if probe else None
        subscribers = len(self.consumers) + bool(probe)
        self.publisher = Call("publish_poem", publish, self.endpoint, list(self.words), subscribers)
        self.publisher_first, self.late = publisher_first, late
        self.bound_after = False

    @property
    def calls(self):
        return [self.publisher, *self.consumers.values()]

    def go(self, printed, limit=RUN_LIMIT):
        """Start everything in the run's order, wait up to limit s after the last start, then end what is left."""
        early = [self.probe] * bool(self.probe) + [c for name, c in self.consumers.items() if name != self.late]
        for started in [self.publisher] + early if self.publisher_first else early + [self.publisher]:
            started.start(printed)
        if self.late:
            late_at = time.monotonic() + LATE
            while time.monotonic() < late_at and not self.not_written():
                time.sleep(0.02)
            self.consumers[self.late].start(printed)
        waited = self.calls + [self.probe] * bool(self.probe)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and not self.not_written() and any(c.alive for c in waited):
            time.sleep(0.02)
        if self.not_written():  # the others are about to fail the same way: let them
            for call in self.calls:
                call.thread.join(0.5 if call.thread.ident else 0)
        for call in self.calls:
            call.in_time = call.done()
        self.clean_up()

    def not_written(self):
        """The functions that still raise NotImplementedError."""
        return [c for c in self.calls if c.not_written]

    def clean_up(self):
        """End the functions still running, and see that the endpoint is free."""
        if self.probe:  # first: what it got by now is what the publisher sent, and it must not count below
            self.probe.stop.set()
            self.probe.thread.join(1)
        if self.publisher.alive:
            end_publisher(self.publisher, self.endpoint)
        waiting = [c for c in self.consumers.values() if c.alive]
        if waiting:
            end_consumers(waiting, self.endpoint)
        for call in self.calls:
            call.stuck = call.alive
        self.bound_after = still_bound(self.endpoint)


def run_poem(publish_poem, vowel_words, five_letter_words, words=None):
    """Run your publisher and consumers once on the poem, show what each consumer printed; returns their lists."""
    consumers = {"vowel_words": vowel_words, "five_letter_words": five_letter_words}
    run = Run(publish_poem, consumers, poem_words() if words is None else words, publisher_first=False, probe=False)
    with printed_by(limit=None) as printed:
        run.go(printed)
    pub = run.publisher
    print(f"publish_poem at {run.endpoint}: " + (f"stopped with {pub.failure}" if pub.error else "returned"
          if pub.in_time else f"did not return within {RUN_LIMIT:g} s (ended by the course)"))
    for call in run.consumers.values():
        shown = " ".join(call.printed.split())
        end = (f", then stopped with {call.failure}" if call.error else "" if call.in_time
               else f", and did not return within {RUN_LIMIT:g} s (ended by the course)")
        count = f"{len(shown.split())} words" if shown else "nothing"
        print(f"\n{call.name} printed {count}{end}" + f":\n{textwrap.fill(shown, 100)}" * bool(shown))
    return {name: call.value for name, call in run.consumers.items()}
