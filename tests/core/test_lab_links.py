"""Every relative link in every notebook's markdown opens in `make lab`: its target is a file inside the folder
the lab serves (a link that leaves it, such as `../README.md` from a lab on notebooks/, is a 404 there)."""
import re
import runpy
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
import test_notebook_contract as contract  # its link patterns: the same links it checks

ROOT = Path(__file__).resolve().parents[2]


def served_root():
    """The folder tools/lab (what `make lab` runs) gives JupyterLab as its root."""
    args = runpy.run_path(str(ROOT / "tools" / "lab" / "__main__.py"))["command"]()
    return Path(next(a for a in args if a.startswith("--ServerApp.root_dir=")).split("=", 1)[1]).resolve()


def relative_links(notebook):
    """The files a notebook's markdown links to (markdown, reference and HTML links), anchors and queries dropped."""
    text = contract.prose(contract.markdown_of_notebook(nbformat.read(notebook, as_version=4)))
    targets = contract.LINK.findall(text) + contract.REFERENCE.findall(text) + contract.HTML.findall(text)
    files = [re.split(r"[#?]", t)[0] for t in targets if not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", t)]
    return sorted({unquote(f) for f in files if f})


def unserved(notebook, root):
    """The links of a notebook whose target is not a file under root."""
    targets = {link: (notebook.parent / link).resolve() for link in relative_links(notebook)}
    return [link for link, path in targets.items() if root not in path.parents or not path.is_file()]


@pytest.mark.parametrize("notebook", contract.NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_every_link_of_the_notebook_opens_in_make_lab(notebook):
    root = served_root()
    assert root in notebook.resolve().parents, f"make lab does not serve {notebook.name} at all"
    assert unserved(notebook, root) == [], f"these links are 404s in make lab (it serves {root})"


def test_the_course_links_outside_notebooks_so_the_check_has_something_to_check():
    outside = {link for nb in contract.NOTEBOOKS for link in relative_links(nb) if link.startswith("../")}
    assert "../README.md" in outside and any(link.startswith("../helpers/") for link in outside), outside
