"""Exercise 17.5 in a real browser: a learner's publisher without the slow-joiner fix fails with the hint that
names it; with XPUB and XPUB_VERBOSE the same consumers pass."""
from browser import browser, lab, replace_cell, run_check, screenshot, walked  # noqa: F401 (fixtures)

WORDS_FROM = '''def words_from(endpoint):
    sub = socket(zmq.SUB, timeout_ms=5000)
    sub.connect(endpoint)
    sub.subscribe(b"")
    while (message := sub.recv()) != END:
        yield message.decode().strip(string.punctuation)
'''
VOWELS = '''def vowel_words(endpoint):
    found = [w for w in words_from(endpoint) if w[:1].lower() in "aeiou" and w]
    print(*found, sep="\\n")
    return found
'''
FIVE = '''def five_letter_words(endpoint):
    found = [w for w in words_from(endpoint) if sum(c.isalpha() for c in w) == 5]
    print(*found, sep="\\n")
    return found
'''
HASTY = '''def publish_poem(endpoint, words, subscribers):
    pub = socket(zmq.PUB)
    pub.bind(endpoint)
    for message in [w.encode() for w in words] + [END]:
        pub.send(message)
    pub.setsockopt(zmq.LINGER, 2000)
    pub.close()
'''
PATIENT = HASTY.replace("socket(zmq.PUB)", "socket(zmq.XPUB, timeout_ms=5000)").replace(
    "    pub.bind(endpoint)\n", "    pub.setsockopt(zmq.XPUB_VERBOSE, 1)\n    pub.bind(endpoint)\n"
    "    for _ in range(subscribers):\n        pub.recv()\n")


def test_a_learner_meets_the_slow_joiner_reads_the_hint_and_passes(browser, lab):
    with walked(browser, lab, "exercises/17_5_poem.ipynb") as page:
        assert "not solved yet" in run_check(page, "check_poem(").inner_text()
        for start, code in (("def words_from(", WORDS_FROM), ("def vowel_words(", VOWELS),
                            ("def five_letter_words(", FIVE), ("def publish_poem(", HASTY)):
            replace_cell(page, start, code)
        report = run_check(page, "check_poem(")
        report.get_by_text("Hint: The slow joiner").wait_for(timeout=10_000)
        assert "✗ no word lost to the slow joiner" in report.inner_text()
        replace_cell(page, "def publish_poem(", PATIENT)
        report = run_check(page, "check_poem(")
        report.get_by_text("Result: passed").wait_for(timeout=10_000)
        assert "✗" not in report.inner_text()
        screenshot(page, "17_5_poem")
