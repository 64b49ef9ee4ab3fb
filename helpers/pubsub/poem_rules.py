"""Exercise 17.5's rules: the poem's words, what each consumer keeps of them, and the end marker.

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
import string
from pathlib import Path

POEM = Path(__file__).resolve().parents[2] / "data" / "mammoth.txt"  # James McIntyre, public domain
END = b""  # the end marker: an empty message, which no word can be
VOWELS = "aeiou"  # y is not one here


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
