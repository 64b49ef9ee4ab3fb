"""Exercise 17.5's checker: the shipped solution passes, run after run; each broken version fails for its own reason."""
import string
import threading
import time

import pytest
import zmq

from helpers.pubsub import check_poem
from helpers.pubsub.poem import (END, expected_five_letter_words, expected_vowel_words, poem_words, run_poem,
                                 still_bound)
from helpers.zeromq import bind, socket
from notebook_code import notebook_functions

LIMIT = 15.0  # the checker's promise, whatever the functions do
MARGIN = 3.0  # what these tests keep in hand below it, on a busy machine


@pytest.fixture(scope="module")
def solution():
    return notebook_functions("solutions/17_5_poem.ipynb")


@pytest.fixture(autouse=True)
def nothing_left():
    yield
    deadline = time.monotonic() + 2
    while [t for t in threading.enumerate() if t.name.startswith("poem-")] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [t.name for t in threading.enumerate() if t.name.startswith("poem-")] == []


def check(publish, vowels, five):
    started = time.monotonic()
    result = check_poem(publish, vowels, five, quiet=True)
    assert time.monotonic() - started < LIMIT - MARGIN, result.report()
    return result


def consumer(keep):
    """A consumer on the course's socket that returns (and prints) the words for which keep(raw word) gives one."""
    def consume(endpoint):
        found = []
        with socket(zmq.SUB, timeout_ms=5000) as sub:
            sub.connect(endpoint)
            sub.subscribe(b"")
            while (message := sub.recv()) != END:
                if (word := keep(message.decode())) is not None:
                    print(word)
                    found.append(word)
        return found
    return consume


def bare(word):
    return word.strip(string.punctuation)


keeps_punctuation = consumer(lambda w: w if w[:1].lower() in "aeiou" else None)
counts_characters = consumer(lambda w: bare(w) if len(bare(w)) == 5 else None)
y_is_a_vowel = consumer(lambda w: bare(w) if w[:1].lower() in "aeiouy" else None)
prints_nothing = consumer(lambda w: None)


def publishes_at_once(endpoint, words, subscribers):
    """The chapter's publisher without its sleep: it publishes as soon as it is bound."""
    with socket(zmq.PUB) as pub:
        pub.bind(endpoint)
        for message in [w.encode() for w in words] + [END]:
            pub.send(message)


def never_returns(endpoint):
    """A consumer that ignores the end marker, on a socket without a timeout: blocked in recv() for good."""
    with zmq.Context() as context, context.socket(zmq.SUB) as sub:
        sub.connect(endpoint)
        sub.subscribe(b"")
        while True:
            sub.recv()


def test_the_shipped_solution_passes_run_after_run(solution, capsys):
    functions = solution["publish_poem"], solution["vowel_words"], solution["five_letter_words"]
    for _ in range(3):  # five runs each, one with a consumer 1.2 s late: no word may ever be lost
        result = check(*functions)
        assert result.passed, result.report()
    assert [c.key for c in result.checks if c.passed] == ["publishes", "joined", "returns", "vowels", "five",
                                                          "prints", "clean"]
    assert check_poem(*functions).passed and "Result: passed" in capsys.readouterr().out


def test_the_reference_lists_follow_the_documented_rules():
    words = poem_words()
    assert len(words) == 156 and words[:3] == ["We", "have", "seen"] and words[-1] == "soon."
    vowels, five = expected_vowel_words(words), expected_five_letter_words(words)
    assert (len(vowels), vowels[:4], vowels[-1]) == (39, ["of", "at", "ease", "evening"], "and")
    assert "All" in vowels and not {"you'll", "your", "youth"} & set(vowels)  # capitals count, y does not
    assert (len(five), five[0], five[-1]) == (28, "queen", "crush")
    assert "you'll" in five and not {"You'd", "We'rt", "world's", "ease,"} & set(five)


def test_the_shipped_exercise_is_not_solved_yet(capsys):
    stubs = notebook_functions("exercises/17_5_poem.ipynb")
    started = time.monotonic()
    result = check_poem(stubs["publish_poem"], stubs["vowel_words"], stubs["five_letter_words"])
    assert time.monotonic() - started < 2
    assert not result.passed and result.status == "not solved yet" and "publish_poem" in result.hint
    assert "not solved yet" in capsys.readouterr().out


@pytest.mark.parametrize("vowels, five, reason, hint", [
    (keeps_punctuation, None, "vowels", "string.punctuation"),
    (None, counts_characters, "five", "Count letters, not characters"),
    (y_is_a_vowel, None, "vowels", "\"y\" does not count as a vowel"),
    (prints_nothing, None, "vowels", "A vowel word's first letter"),
], ids=["keeps punctuation", "five characters", "y as a vowel", "finds nothing"])
def test_broken_consumers_fail_for_the_right_reason(solution, vowels, five, reason, hint):
    result = check(solution["publish_poem"], vowels or solution["vowel_words"],
                   five or solution["five_letter_words"])
    assert result.failed == reason, result.report()
    assert hint in result.hint and "Result: failed" in result.report()


def test_the_detail_names_the_first_wrong_word(solution):
    result = check(solution["publish_poem"], solution["vowel_words"], counts_characters)
    five = next(c for c in result.checks if c.key == "five")
    assert "word 6 is 'great', expected \"you'll\"" in five.detail  # "you'll" has 6 characters but 5 letters


def test_a_publisher_without_the_slow_joiner_fix_loses_the_first_words(solution):
    result = check(publishes_at_once, solution["vowel_words"], solution["five_letter_words"])
    assert result.failed == "joined", result.report()
    assert "slow joiner" in result.hint and "XPUB_VERBOSE" in result.hint
    assert next(c for c in result.checks if c.key == "clean").passed


def test_a_consumer_that_never_returns_is_ended(solution):
    result = check(solution["publish_poem"], never_returns, solution["five_letter_words"])
    assert result.failed == "returns", result.report()
    assert "never returned" in result.report() and "the checker ended it" in result.report(), result.report()


def test_a_publisher_that_never_returns_is_ended(solution):
    def publishes_then_spins(endpoint, words, subscribers):
        solution["publish_poem"](endpoint, words, subscribers)
        while True:
            time.sleep(0.05)

    result = check(publishes_then_spins, solution["vowel_words"], solution["five_letter_words"])
    assert result.failed == "publishes" and "did not return" in result.report(), result.report()
    assert next(c for c in result.checks if c.key == "vowels").passed  # the consumers did their part


def test_a_publisher_that_waits_forever_for_subscriptions_is_ended_and_explained(solution):
    def waits_without_verbose(endpoint, words, subscribers):
        with zmq.Context() as context, context.socket(zmq.XPUB) as pub:  # no timeout, no XPUB_VERBOSE
            pub.bind(endpoint)
            for _ in range(subscribers):
                pub.recv()  # the same b"" three times is reported once: blocked here for good

    result = check(waits_without_verbose, solution["vowel_words"], solution["five_letter_words"])
    assert result.failed == "publishes" and "XPUB_VERBOSE" in result.hint, result.report()
    assert next(c for c in result.checks if c.key == "clean").passed, result.report()


def test_run_poem_shows_what_each_consumer_printed(solution, capsys):
    found = run_poem(solution["publish_poem"], solution["vowel_words"], solution["five_letter_words"])
    assert found == {"vowel_words": expected_vowel_words(), "five_letter_words": expected_five_letter_words()}
    out = capsys.readouterr().out
    assert "vowel_words printed 39 words" in out and "five_letter_words printed 28 words" in out
    assert "queen Lying flies seize gaily you'll" in out


def test_still_bound_sees_a_bound_endpoint_until_it_is_closed():
    with socket(zmq.PUB) as pub:
        endpoint = bind(pub)
        assert still_bound(endpoint, wait=0.1)
    assert not still_bound(endpoint)
