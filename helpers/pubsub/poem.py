"""Exercise 17.5: the poem published word by word on ZeroMQ PUB/SUB, two consumers that filter it, and the checker.

What the checker expects (the choices the chapter leaves open; the exercise notebook explains them):
- each word of data/mammoth.txt (split at white space) is one message: its UTF-8 text as in the poem, so
  "cheese," keeps its comma; after the last word comes the end marker END, an empty message;
- the consumers subscribe to everything (b""); the publisher waits until `subscribers` subscriptions
  have arrived on its XPUB socket before its first word (the slow-joiner fix);
- a consumer strips the punctuation at both ends of a word (`word.strip(string.punctuation)`: "oh!" is
  "oh", "you'll" stays "you'll"), keeps its capitals, prints each word it finds and returns them in order:
  vowel_words those whose first letter is a, e, i, o or u, capital or not (y is no vowel), and
  five_letter_words those with exactly five letters (`str.isalpha`: "you'll" has five, "You'd" four).
"""
import gc
import string
import sys
import textwrap
import threading
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

import zmq

from helpers.core.ports import HOST, free_port, is_listening, port_clash
from helpers.servers.function import end_thread
from helpers.sockets.checker import Check, CheckResult
from helpers.zeromq.base import socket

POEM = Path(__file__).resolve().parents[2] / "data" / "mammoth.txt"  # James McIntyre, public domain
END = b""  # the end marker: an empty message, which no word can be
VOWELS = "aeiou"  # y is not one here
LATE = 1.2  # seconds: in one run a consumer joins this late (longer than the chapter's sleep(1))
RUN_LIMIT = 2.5  # seconds a run may take after its last function started, before the checker steps in
BUDGET = 10.0  # the runs stop by then; ending what is stuck takes at most ~4.7 s more: under 15 s in all
RUNS = (  # (what the run shows, publisher started before the consumers, the consumer started LATE s later)
    ("publisher first", True, None),
    ("consumers first", False, None),
    ("publisher first", True, None),
    ("consumers first", False, None),
    (f"five_letter_words {LATE:g} s late", True, "five_letter_words"),
)


def poem_words(path=POEM):
    """The poem's words as it has them (split at white space, punctuation kept): 'We', 'have', ..., 'soon.'."""
    return Path(path).read_text(encoding="utf-8").split()


def bare(word):
    """word without the punctuation at its ends: 'cheese,' -> 'cheese', "you'll" stays "you'll"."""
    return word.strip(string.punctuation)


def starts_with_vowel(word):
    """True if the bare word's first letter is a, e, i, o or u, capital or not (y is no vowel)."""
    return bare(word)[:1].lower() in set(VOWELS)


def letters(word):
    """How many letters word has (the apostrophe of "you'll" is not one: 5)."""
    return sum(char.isalpha() for char in word)


def expected_vowel_words(words=None):
    """The bare words that start with a vowel, in order: what vowel_words must return for the poem."""
    return [bare(w) for w in (poem_words() if words is None else words) if starts_with_vowel(w)]


def expected_five_letter_words(words=None):
    """The bare words of exactly five letters, in order: what five_letter_words must return for the poem."""
    return [bare(w) for w in (poem_words() if words is None else words) if letters(w) == 5]


def free_endpoint():
    """A tcp endpoint on 127.0.0.1 with a port that is free right now.

    Your publisher binds it, and your consumers may connect before it does, so it cannot come from binding
    port 0: a run whose publisher found the port taken (and still held once your functions ended: another
    program's) is run again on a new one.
    """
    return f"tcp://{HOST}:{free_port()}"


class Printed:
    """Stands in for sys.stdout during a run: what the functions under test print is kept, the rest goes through."""

    def __init__(self, stream):
        self.stream, self.kept = stream, {}

    def write(self, text):
        kept = self.kept.get(threading.current_thread())
        if kept is None:
            return self.stream.write(text)
        kept.append(text)
        return len(text)

    def flush(self):
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


class Call:
    """One of your functions running in a thread of its own: what it returned or raised, what it printed."""

    def __init__(self, name, function, *args):
        self.name, self.function, self.args = name, function, args
        self.value = self.error = self.error_in = None  # error: "Type: message"; error_in: the function that raised
        self.not_written = False  # it raised NotImplementedError
        self.in_time = False  # it had ended by itself when the run's time was up
        self.ended = False  # the checker ended it (SystemExit in its thread)
        self.stuck = False  # it could not be ended
        self.printed = []
        self.thread = threading.Thread(target=self._run, name=f"poem-{name}", daemon=True)

    @property
    def alive(self):
        return self.thread.is_alive()

    @property
    def done(self):
        """Started, and not running any more."""
        return self.thread.ident is not None and not self.alive

    def start(self, printed):
        printed.kept[self.thread] = self.printed
        self.thread.start()

    def _run(self):
        try:
            try:
                self.value = self.function(*self.args)
            except Exception as error:  # noqa: BLE001 (kept for the report)
                self._keep(error)
        except SystemExit:
            self.ended = True  # the checker ended a function that did not end

    def _keep(self, error):
        """Keep an error as text, and let go of its frames (they may hold a bound socket)."""
        self.not_written = isinstance(error, NotImplementedError)
        self.error = f"{type(error).__name__}: {error}".rstrip(": ")
        frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
        self.error_in = frames[-1].f_code.co_name if frames else self.name
        traceback.clear_frames(error.__traceback__)


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
    end_thread(call.thread)  # SystemExit, raised as soon as the thread runs Python code again
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
                end_thread(call.thread)
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
            call.in_time = call.done
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


@contextmanager
def prints_kept():
    """A Printed in place of sys.stdout while the block runs."""
    printed = sys.stdout = Printed(sys.stdout)
    try:
        yield printed
    finally:
        sys.stdout = printed.stream


def run_poem(publish_poem, vowel_words, five_letter_words, words=None):
    """Run your publisher and consumers once on the poem, show what each consumer printed; returns their lists."""
    consumers = {"vowel_words": vowel_words, "five_letter_words": five_letter_words}
    run = Run(publish_poem, consumers, poem_words() if words is None else words, publisher_first=False, probe=False)
    with prints_kept() as printed:
        run.go(printed)
    pub = run.publisher
    print(f"publish_poem at {run.endpoint}: " + (f"stopped with {pub.error}" if pub.error else "returned"
          if pub.in_time else f"did not return within {RUN_LIMIT:g} s (ended by the course)"))
    for call in run.consumers.values():
        shown = " ".join("".join(call.printed).split())
        end = (f", then stopped with {call.error}" if call.error else "" if call.in_time
               else f", and did not return within {RUN_LIMIT:g} s (ended by the course)")
        count = f"{len(shown.split())} words" if shown else "nothing"
        print(f"\n{call.name} printed {count}{end}" + f":\n{textwrap.fill(shown, 100)}" * bool(shown))
    return {name: call.value for name, call in run.consumers.items()}


LABELS = {
    "publishes": "publish_poem publishes every word, then the end marker, and returns",
    "joined": f"no word lost to the slow joiner, in {len(RUNS)} runs (consumers started before and after "
              f"the publisher, one {LATE:g} s late)",
    "returns": "each consumer returns its list when the end marker arrives",
    "vowels": "vowel_words returns the words that start with a vowel, in order",
    "five": "five_letter_words returns the words of exactly five letters, in order",
    "prints": "each consumer prints the words it finds",
    "clean": "nothing is left running or bound afterwards",
}
KEYS = {"vowel_words": "vowels", "five_letter_words": "five"}

HINTS = {
    "publishes": "Send each word as one message, word.encode(), in the poem's order, then the end marker END "
                 "(b\"\", an empty message), and return",
    "waits": "publish_poem seems to wait for subscriptions that never come. Several SUB sockets subscribing "
             "to the same b\"\" are reported once by an XPUB socket unless you set "
             "pub.setsockopt(zmq.XPUB_VERBOSE, 1) before bind; and wait for `subscribers` of them, no more",
    "joined": "The slow joiner: a SUB socket gets only what is published after its subscription has reached the "
              "publisher. Do not guess how long that takes (no sleep): bind an XPUB socket with XPUB_VERBOSE set "
              "to 1, recv() one subscription per consumer (`subscribers` of them), and only then publish",
    "returns": "Loop on sub.recv() until the message is the end marker (an empty message: b\"\", or \"\" from "
               "recv_string()), then return the list of the words you found",
    "vowels": "A vowel word's first letter is a, e, i, o or u, capital or not (y is not a vowel). Strip the "
              "punctuation at both ends first, word.strip(string.punctuation), and return the words that way",
    "five": "Count letters, not characters: sum(c.isalpha() for c in word) == 5, after stripping the punctuation "
            "at both ends (word.strip(string.punctuation)). The apostrophe is no letter: \"you'll\" has five "
            "letters, \"You'd\" four",
    "punctuation": "Strip the punctuation at both ends of each word before testing it, and return (and print) the "
                   "words that way: word.strip(string.punctuation) turns 'cheese,' into 'cheese'",
    "y": "\"y\" does not count as a vowel here: a vowel word's first letter is a, e, i, o or u, capital or not",
    "prints": "print(word) each word as your consumer finds it, besides adding it to the list it returns",
    "clean": "Close your sockets (a `with` block does it) and make sure each function ends",
    "bytes": "ZeroMQ sends bytes, not str: send word.encode(), or use send_string(word)",
}


def check_poem(publish_poem, vowel_words, five_letter_words, quiet=False):
    """Check exercise 17.5 on the poem, in several runs; print a report, return a CheckResult.

    Besides your two consumers the checker runs a subscriber of its own, so it calls
    publish_poem(endpoint, words, 3). The check ends within 15 s whatever the functions do.
    """
    words = poem_words()
    expected = {"vowel_words": expected_vowel_words(words), "five_letter_words": expected_five_letter_words(words)}
    consumers = {"vowel_words": vowel_words, "five_letter_words": five_letter_words}
    checks = {key: Check(key, label) for key, label in LABELS.items()}
    result = CheckResult("Checking the poem's publisher and consumers", list(checks.values()))
    hints, runs, started = {}, [], time.monotonic()
    with prints_kept() as printed:
        for number, (what, publisher_first, late) in enumerate(RUNS, 1):
            limit = min(RUN_LIMIT, started + BUDGET - time.monotonic() - (LATE if late else 0))
            if limit < 0.5:
                checks["joined"].passed = False
                checks["joined"].detail = f"only {number - 1} of {len(RUNS)} runs fit in {BUDGET:g} s"
                break
            for _ in range(2):  # once more on a new endpoint if another program took its port before publish_poem
                run = Run(publish_poem, consumers, words, publisher_first, late)
                run.go(printed, limit)
                if not (run.publisher.error and port_clash(run.publisher.error) and run.bound_after):
                    break
            runs.append(run)
            if run.not_written():
                todo = list(dict.fromkeys(c.error_in for c in run.not_written()))  # in the order they run
                result.status = "not solved yet"
                names = ", ".join(todo[:-1]) + " and " * (len(todo) > 1) + todo[-1]
                result.hint = f"Write {names} (still raising NotImplementedError), then run this check again."
                return _finish(result, quiet)
            verdicts, run_hints = judge(run, words, expected)
            for key, (passed, detail) in verdicts.items():
                if checks[key].passed is not False:
                    where = f"run {number} of {len(RUNS)} ({what}): " if passed is False else ""
                    checks[key].passed, checks[key].detail = passed, where + detail
            for key, hint in run_hints.items():
                hints.setdefault(key, hint)
            if any(passed is False for passed, _ in verdicts.values()):
                break
        else:
            checks["joined"].passed, checks["joined"].detail = True, "every word reached every consumer, every time"
        judge_clean(runs, checks["clean"])
    if result.failed:
        result.hint = hints.get(result.failed) or HINTS[result.failed]
    return _finish(result, quiet)


def _finish(result, quiet):
    if not quiet:
        print(result.report())
    return result


def judge(run, words, expected):
    """What one run shows: ({check key: (passed, detail)}, {check key: hint for its failure})."""
    verdicts, hints, sent = {}, {}, [w.encode() for w in words]

    def verdict(key, passed, detail="", hint=""):
        if verdicts.get(key, (None,))[0] is not False:
            verdicts[key] = (passed, detail)
        if passed is False and hint:
            hints.setdefault(key, hint)

    judge_publisher(run.publisher, run.probe, sent, verdict)
    if run.publisher.error is None and run.probe.got:  # else what the consumers got says nothing new
        for name, call in run.consumers.items():
            judge_consumer(name, call, expected[name], verdict)
    return verdicts, hints


def judge_publisher(pub, probe, sent, verdict):
    """The verdicts about the publisher, from what the checker's own subscriber got."""
    got, count = probe.got, len(probe.got)
    if pub.error:
        special = HINTS["bytes"] if "unicode not allowed" in pub.error else (
            HINTS["waits"] if pub.error.startswith("Again") else HINTS["publishes"])
        verdict("publishes", False, f"publish_poem stopped with {pub.error}",
                f"Your publish_poem stopped with {pub.error}. {special}")
    elif not pub.in_time:
        verdict("publishes", False, f"publish_poem did not return within {RUN_LIMIT:g} s (the checker's own "
                f"subscriber had {count} of {len(sent)} words); the checker ended it",
                HINTS["publishes"] if got else HINTS["waits"])
    elif got == sent and probe.ended:
        verdict("publishes", True, f"{len(sent)} words and the end marker")
    elif got and got == sent[-count:] and probe.ended:
        verdict("joined", False, f"the checker's own subscriber missed the first {len(sent) - count} words")
    elif not got and not probe.ended:
        verdict("joined", False, "the checker's own subscriber got no word and no end marker: all of it was "
                "published before it had joined")
    elif got == sent[:count] and not probe.ended:
        missing = len(sent) - count
        verdict("publishes", False, "the end marker never arrived" + f", nor the last {missing} words" * bool(missing))
    else:
        index = next((i for i, (g, s) in enumerate(zip(got, sent)) if g != s), min(count, len(sent)))
        verdict("publishes", False, f"message {index + 1} was {show(got, index)}, "
                f"where the poem's word {index + 1} is {show(sent, index)}")


def show(messages, index):
    """messages[index] for a report, or 'nothing' past the end."""
    return repr(messages[index]) if index < len(messages) else "nothing"


def judge_consumer(name, call, want, verdict):
    """The verdicts about one consumer."""
    value = call.value if isinstance(call.value, (list, tuple)) else None
    got, right = ([str(w).casefold() for w in value] if value is not None else None), [w.casefold() for w in want]
    lost = got is not None and len(got) < len(want) and got == right[len(want) - len(got):]
    lost = lost and (bool(got) or not call.in_time)  # all words lost but the end marker, a moment later: unlikely
    if call.error:
        timed_out = call.error.startswith("Again")
        verdict("joined" if timed_out else "returns", False, f"{name} stopped with {call.error}"
                + ": its socket timed out before the end marker came" * timed_out,
                HINTS["joined"] if timed_out else f"Your {name} stopped with {call.error}. {HINTS['returns']}")
    elif call.ended or call.stuck:
        verdict("returns", False, f"{name} never returned, even when the checker sent the end marker again; "
                + ("its thread could not be ended: restart the kernel" if call.stuck else "the checker ended it"))
    elif not call.in_time and lost:
        verdict("joined", False, f"{name} missed the first {len(want) - len(got)} of its {len(want)} words, "
                "and the end marker", HINTS["joined"])
    elif not call.in_time:
        verdict("returns", False, f"{name} did not return within {RUN_LIMIT:g} s, only when the checker sent the "
                "end marker again")
    elif value is None:
        verdict("returns", False, f"{name} returned {call.value!r:.60}, not a list of words")
    else:
        verdict("returns", True)
        if lost:
            verdict("joined", False, f"{name} missed the first {len(want) - len(got)} of its {len(want)} words",
                    HINTS["joined"])
        elif got == right:
            verdict(KEYS[name], True, f"{len(want)} words, from {want[0]!r} to {want[-1]!r}")
        else:
            verdict(KEYS[name], False, f"{name}: {difference(value, want)}", hint_for(KEYS[name], value))
        judge_prints(name, call, [str(w) for w in value], verdict)


def judge_prints(name, call, returned, verdict):
    """Did the consumer print each word it returned, in order (anything around them is fine)?"""
    text, position = "".join(call.printed).casefold(), 0
    for word in returned:
        found = text.find(word.casefold(), position)
        if found < 0:
            words = len("".join(call.printed).split())
            verdict("prints", False, f"{name} printed {words} words; {word!r} is not among them" if words
                    else f"{name} printed nothing")
            return
        position = found + len(word)
    if returned:
        verdict("prints", True)


def difference(value, want):
    """Where a consumer's list first differs from the right one, in one line."""
    for index, (got, right) in enumerate(zip(value, want)):
        if str(got).casefold() != right.casefold():
            return f"word {index + 1} is {got!r}, expected {right!r} (got {len(value)} words, expected {len(want)})"
    if len(value) > len(want):
        return f"{len(value) - len(want)} words too many, from {value[len(want)]!r} on"
    return f"got {len(value)} words, expected {len(want)}: {want[len(value)]!r} and what follows are missing"


def hint_for(key, value):
    """The hint that fits how a consumer's list is wrong."""
    words = [str(w) for w in value]
    if any(w != bare(w) for w in words):
        return HINTS["punctuation"]
    if key == "vowels" and any(w[:1].lower() == "y" for w in words):
        return HINTS["y"]
    return HINTS[key]


def judge_clean(runs, check):
    """Did every run end its threads and free its endpoint?"""
    stuck = sorted({c.name for run in runs for c in run.calls if c.stuck})
    bound = [run.endpoint for run in runs if run.bound_after]
    check.passed = not stuck and not bound
    if stuck:
        check.detail = f"{', '.join(stuck)} could not be ended: restart the kernel"
    elif bound:
        check.detail = f"{bound[0]} is still bound after publish_poem ended"
