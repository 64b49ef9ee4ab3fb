"""Notebook 14 sends the learner on to notebook 15, which is written, instead of saying it is not."""
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_whats_next_links_the_written_next_topic():
    text = "\n".join(c.source for c in nbformat.read(NOTEBOOKS / "14_big_data.ipynb", as_version=4).cells)
    whats_next = text.split("## What's next")[1]
    assert (NOTEBOOKS / "15_clouds_containers.ipynb").exists()
    assert "(15_clouds_containers.ipynb)" in whats_next
    assert "until it is written" not in whats_next.lower()
