"""Exercise 17.5's hints say each thing once and only what a run showed: "y is no vowel" once, and no LINGER advice
(the exercise says that with this poem linger 0 loses nothing; a publisher without LINGER passes)."""
import string

import pytest
import zmq

from helpers.pubsub import check_poem
from helpers.pubsub.poem import END
from helpers.zeromq import socket
from notebook_code import notebook_functions


@pytest.fixture(scope="module")
def solution():
    return notebook_functions("solutions/17_5_poem.ipynb")


def y_is_a_vowel(endpoint):
    found = []
    with socket(zmq.SUB, timeout_ms=5000) as sub:
        sub.connect(endpoint)
        sub.subscribe(b"")
        while (message := sub.recv()) != END:
            if (word := message.decode().strip(string.punctuation))[:1].lower() in "aeiouy":
                print(word)
                found.append(word)
    return found


def publishes_without_linger(endpoint, words, subscribers):
    """The solution's publisher without LINGER: the course's socket closes with linger 0."""
    with socket(zmq.XPUB, timeout_ms=5000) as pub:
        pub.setsockopt(zmq.XPUB_VERBOSE, 1)
        pub.bind(endpoint)
        for _ in range(subscribers):
            pub.recv()
        for message in [word.encode() for word in words] + [END]:
            pub.send(message)


def forgets_the_end_marker(endpoint, words, subscribers):
    with socket(zmq.XPUB, timeout_ms=5000) as pub:
        pub.setsockopt(zmq.XPUB_VERBOSE, 1)
        pub.bind(endpoint)
        for _ in range(subscribers):
            pub.recv()
        for word in words:
            pub.send(word.encode())


def test_the_y_hint_says_what_a_vowel_is_once(solution):
    result = check_poem(solution["publish_poem"], y_is_a_vowel, solution["five_letter_words"], quiet=True)
    assert result.failed == "vowels" and '"y" does not count as a vowel' in result.hint, result.report()
    assert result.hint.count("e, i, o") == 1 and result.hint.lower().count("vowel") == 2, result.hint


def test_a_publisher_without_linger_passes_as_the_exercise_says(solution):
    result = check_poem(publishes_without_linger, solution["vowel_words"], solution["five_letter_words"], quiet=True)
    assert result.passed, result.report()


def test_a_lost_end_marker_is_not_blamed_on_linger(solution):
    result = check_poem(forgets_the_end_marker, solution["vowel_words"], solution["five_letter_words"], quiet=True)
    assert result.failed == "publishes" and "end marker never arrived" in result.report(), result.report()
    assert "end marker END" in result.hint and "LINGER" not in result.hint, result.hint
