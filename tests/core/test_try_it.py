"""Every *Try it* prompt works right after Run All: its ```python blocks run in the same kernel, after every cell."""
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
FENCE = re.compile(r"```python\n(.*?)```", re.S)


def try_it_blocks(notebook):
    """The code of the ```python blocks in the notebook's *Try it* section, in order."""
    blocks, inside = [], False
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for part in re.split(r"(?m)^(?=#+ )", cell.source):
            if part.startswith("#"):
                inside = bool(re.match(r"#+ Try it", part))
            if inside:
                blocks += [code.strip() for code in FENCE.findall(part)]
    return blocks


def test_try_it_blocks_are_found_in_a_section_and_only_there():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## Before\n```python\nnot_this()\n```"),
        nbformat.v4.new_markdown_cell("## Try it\n- one\n  ```python\n  a = 1\n  ```\n## Summary\n```python\nno()\n```"),
        nbformat.v4.new_markdown_cell("Still summary.\n```python\nno_again()\n```")])
    assert try_it_blocks(notebook) == ["a = 1"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_try_it_prompt_runs_after_run_all(name):
    notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    blocks = try_it_blocks(notebook)
    assert blocks, f"{name}: its Try it section has no ```python block to try"
    for code in blocks:
        cell = nbformat.v4.new_code_cell(re.sub(r"(?m)^  ", "", code))  # blocks may sit indented in a list
        cell.metadata["try_it"] = True
        notebook.cells.append(cell)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()  # raises CellExecutionError, with the prompt's code and traceback, if one fails
    tried = [c for c in notebook.cells if c.metadata.get("try_it")]
    assert all(not any(o.get("output_type") == "error" for o in c.outputs) for c in tried)
