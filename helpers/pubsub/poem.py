"""Exercise 17.5's checker: runs of your publisher and consumers (poem_runs.py), judged by the rules (poem_rules.py)."""
import time

from helpers.core.checks import checks_for, reported
from helpers.core.learner import printed_by
from helpers.core.ports import port_clash
from helpers.pubsub.poem_rules import END, bare, expected_five_letter_words, expected_vowel_words, poem_words
from helpers.pubsub.poem_runs import LATE, RUN_LIMIT, Run, run_poem, still_bound

__all__ = ["END", "check_poem", "expected_five_letter_words", "expected_vowel_words", "poem_words", "run_poem",
           "still_bound"]

BUDGET = 10.0  # the runs stop by then; ending what is stuck takes at most ~4.7 s more: under 15 s in all
RUNS = (  # (what the run shows, publisher started before the consumers, the consumer started LATE s later)
    ("publisher first", True, None),
    ("consumers first", False, None),
    ("publisher first", True, None),
    ("consumers first", False, None),
    (f"five_letter_words {LATE:g} s late", True, "five_letter_words"),
)


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
    result = checks_for("Checking the poem's publisher and consumers", LABELS)
    hints, runs, started = {}, [], time.monotonic()
    with printed_by(limit=None) as printed:
        for number, (what, publisher_first, late) in enumerate(RUNS, 1):
            limit = min(RUN_LIMIT, started + BUDGET - time.monotonic() - (LATE if late else 0))
            if limit < 0.5:
                result.mark("joined", False, f"only {number - 1} of {len(RUNS)} runs fit in {BUDGET:g} s")
                break
            for _ in range(2):  # once more on a new endpoint if another program took its port before publish_poem
                run = Run(publish_poem, consumers, words, publisher_first, late)
                run.go(printed, limit)
                if not (run.publisher.failure and port_clash(run.publisher.failure) and run.bound_after):
                    break
            runs.append(run)
            if run.not_written():
                todo = list(dict.fromkeys(c.error_in for c in run.not_written()))  # in the order they run
                result.status = "not solved yet"
                names = ", ".join(todo[:-1]) + " and " * (len(todo) > 1) + todo[-1]
                result.hint = f"Write {names} (still raising NotImplementedError), then run this check again."
                return reported(result, quiet)
            verdicts, run_hints = judge(run, words, expected)
            for key, (passed, detail) in verdicts.items():
                if result.check(key).passed is not False:
                    where = f"run {number} of {len(RUNS)} ({what}): " if passed is False else ""
                    result.mark(key, passed, where + detail)
            for key, hint in run_hints.items():
                hints.setdefault(key, hint)
            if any(passed is False for passed, _ in verdicts.values()):
                break
        else:
            result.mark("joined", True, "every word reached every consumer, every time")
        judge_clean(runs, result.check("clean"))
    if result.failed:
        result.hint = hints.get(result.failed) or HINTS[result.failed]
    return reported(result, quiet)


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
    if pub.failure:
        special = HINTS["bytes"] if "unicode not allowed" in pub.failure else (
            HINTS["waits"] if pub.failure.startswith("Again") else HINTS["publishes"])
        verdict("publishes", False, f"publish_poem stopped with {pub.failure}",
                f"Your publish_poem stopped with {pub.failure}. {special}")
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
    if call.failure:
        timed_out = call.failure.startswith("Again")
        verdict("joined" if timed_out else "returns", False, f"{name} stopped with {call.failure}"
                + ": its socket timed out before the end marker came" * timed_out,
                HINTS["joined"] if timed_out else f"Your {name} stopped with {call.failure}. {HINTS['returns']}")
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
    text, position = call.printed.casefold(), 0
    for word in returned:
        found = text.find(word.casefold(), position)
        if found < 0:
            words = len(call.printed.split())
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
