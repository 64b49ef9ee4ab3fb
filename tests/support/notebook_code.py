"""Load the functions a notebook defines (its import and def cells), to test the code learners see."""
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def notebook_functions(relative_path):
    """Run the notebook's import and def cells in a fresh namespace and return that namespace."""
    notebook = nbformat.read(NOTEBOOKS / relative_path, as_version=4)
    namespace = {}
    for cell in notebook.cells:
        source = cell.source.lstrip()
        if cell.cell_type == "code" and source.startswith(("import ", "from ", "def ")):
            exec(compile(cell.source, f"{relative_path} cell {cell.get('id')}", "exec"), namespace)
    return namespace
