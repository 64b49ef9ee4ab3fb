"""Notebook 10's 'What's next' sends the learner on to the notebooks that follow it, which exist."""
import re

import nbformat
from notebook_code import NOTEBOOKS


def whats_next():
    """The text of notebook 10 from its 'What's next' heading on."""
    text = "\n".join(c.source for c in nbformat.read(NOTEBOOKS / "10_web_apis.ipynb", as_version=4).cells
                     if c.cell_type == "markdown")
    return text[text.index("## What's next"):]


def test_whats_next_links_the_serialization_and_rpc_notebooks_that_exist():
    links = re.findall(r"\]\(([^)#]+)", whats_next())
    for name in ("11_serialization.ipynb", "12_rpc.ipynb"):
        assert name in links and (NOTEBOOKS / name).exists(), links
    assert not re.search(r"written", whats_next(), re.IGNORECASE)
