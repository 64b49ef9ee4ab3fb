"""Every notebook has *Try it* prompts to run; the browser walk (browser.walked) runs them in the kernel that has just
done Restart & Run All, so each is known to work right after it."""
import ast
from pathlib import Path

import nbformat
import pytest
from try_it import try_it_blocks, try_it_code

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_try_it_blocks_are_found_in_a_section_and_only_there():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Before\n```python\nnot_this()\n```"),
        nbformat.v4.new_markdown_cell("## Try it\n- one\n  ```python\n  a = 1\n  ```\n## Summary\n```python\nno()\n```"),
        nbformat.v4.new_markdown_cell("Still summary.\n```python\nno_again()\n```")])
    assert try_it_blocks(notebook) == ["a = 1"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_topic_notebook_has_try_it_code_that_compiles(name):
    blocks = try_it_code(ROOT / "notebooks" / name)
    assert blocks, f"{name}: its Try it section has no ```python block to try"
    for code in blocks:
        compile(code, f"{name} Try it", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)  # as IPython takes it
