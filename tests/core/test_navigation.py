"""The course's signposts stay true: no notebook says a later topic is not written, or that it is the last."""
import re
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NOT_WRITTEN = re.compile(r"not (?:yet )?written|written yet|until [^.]{0,40}?\b(?:is|are) written", re.IGNORECASE)
LAST = re.compile(r"\blast topic notebook\b|\bthis is the last notebook\b", re.IGNORECASE)


def topic_numbers():
    """The numbers of the topic notebooks there are (00, 01, ... as ints)."""
    return sorted(int(path.name[:2]) for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def stale_phrases(path, numbers):
    """(cell number, phrase) for each line of path's markdown that a later topic notebook makes false."""
    number = int(path.name[:2]) if path.name[:2].isdigit() else max(numbers)
    if not any(later > number for later in numbers):
        return []
    found = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type == "markdown":
            found += [(index, match.group(0)) for pattern in (NOT_WRITTEN, LAST)
                      for match in pattern.finditer(cell.source)]
    return found


def test_no_notebook_says_a_later_topic_is_missing_or_that_it_is_the_last():
    numbers = topic_numbers()
    stale = {path.relative_to(NOTEBOOKS.parent).as_posix(): phrases for path in sorted(NOTEBOOKS.rglob("*.ipynb"))
             if ".ipynb_checkpoints" not in path.parts and (phrases := stale_phrases(path, numbers))}
    lines = [f"  {name}: " + "; ".join(f"cell {i}: {phrase!r}" for i, phrase in phrases)
             for name, phrases in stale.items()]
    assert not stale, f"stale navigation (the topic notebooks go up to {max(numbers):02}):\n" + "\n".join(lines)


def test_the_patterns_catch_what_they_are_for():
    for stale in ["This is the last topic notebook of the course map", "until they are written, the map",
                  "until 11 and 12 are written", "Until it is written, the course map", "not written yet"]:
        assert NOT_WRITTEN.search(stale) or LAST.search(stale), stale
    for fine in ["a broker written in Erlang", "The last notebook ended with a problem", "bytes are written in base64"]:
        assert not NOT_WRITTEN.search(fine) and not LAST.search(fine), fine
