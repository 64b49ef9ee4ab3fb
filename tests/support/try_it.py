"""The code of a notebook's *Try it* prompts: its ```python blocks, found only in a section headed Try it."""
import re

import nbformat

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


def try_it_code(path):
    """The Try-it blocks of the notebook at path, ready to run (a block may sit indented in a list)."""
    return [re.sub(r"(?m)^  ", "", code) for code in try_it_blocks(nbformat.read(path, as_version=4))]
