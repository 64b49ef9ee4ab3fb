"""The notebook contract (CONTRIBUTING.md): every notebook in notebooks/ has the course's shape.

Each check is a function (path, notebook) -> list of problems, one line each; an empty list means it holds.
The one exception to "only the imports cell imports": a cell tagged `raises-exception` may import,
because an import that fails on purpose (a package that breaks Jupyter, say) can be the lesson.
"""
import ast
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 12
SECTIONS = ["Try it", "Summary", "What's next"]
TOPIC = re.compile(r"(\d\d)_[a-z0-9_]+\.ipynb")
EXERCISE = re.compile(r"17_(\d+)_[a-z0-9_]+\.ipynb")
FENCE = re.compile(r"^ *(```|~~~).*?^ *\1[^\n]*$", re.S | re.M)
HEADING = re.compile(r"^(#{1,6}) +(.+?) *#* *$", re.M)
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
HTML = re.compile(r"\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']", re.I)
HTML_ID = re.compile(r"\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.I)


def kind(path):
    """'topic', 'exercise' (exercises and solutions) or None, from where the notebook lives."""
    if path.parent.name == "notebooks" and TOPIC.fullmatch(path.name):
        return "topic"
    if path.parent.name in ("exercises", "solutions") and EXERCISE.fullmatch(path.name):
        return "exercise"
    return None


def repo_root(path):
    """The folder that holds notebooks/."""
    return next(p.parent for p in path.parents if p.name == "notebooks")


def prose(text):
    """Markdown without fenced code blocks and inline code, where headings and links are real."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))


def plain(text):
    """A heading's text as rendered: link texts kept, emphasis and code marks dropped."""
    return re.sub(r"[*`]", "", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)).strip()


def headings(text):
    """(level, text) of every heading in a markdown text, outside code."""
    return [(len(marks), plain(title)) for marks, title in HEADING.findall(FENCE.sub("", text))]


def anchors(text):
    """The anchors a markdown text offers: GitHub's and JupyterLab's ids of its headings, and HTML ids."""
    found = set(HTML_ID.findall(text))
    for _, title in headings(text):
        found.add(title.replace(" ", "-"))  # JupyterLab: the rendered text, spaces to hyphens
        found.add(re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-"))  # GitHub
    return found


def markdown_of_notebook(notebook):
    """All markdown cells of a notebook, as one text."""
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def markdown_of(path):
    """All markdown of a notebook or a markdown file, as one text."""
    return markdown_of_notebook(nbformat.read(path, as_version=4)) if path.suffix == ".ipynb" else path.read_text()


def section_text(notebook, title):
    """The markdown under the first heading called title, up to the next heading of its level or higher."""
    text = FENCE.sub("", markdown_of_notebook(notebook))
    found = [(len(m.group(1)), plain(m.group(2)), m) for m in HEADING.finditer(text)]
    start = next((i for i, (_, t, _) in enumerate(found) if t == title), None)
    if start is None:
        return ""
    level, _, match = found[start]
    end = next((m.start() for lvl, _, m in found[start + 1:] if lvl <= level), len(text))
    return text[match.end():end]


def intro(notebook):
    """The first cell's text if it is markdown, else ''."""
    cells = notebook.cells
    return cells[0].source if cells and cells[0].cell_type == "markdown" else ""


def code_cells(notebook):
    """(index, cell) of every code cell."""
    return [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]


def name_of(index, cell):
    """A cell named in one line: its index and first line."""
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return f"cell {index} ({first[:40]!r})"


def statements(cell):
    """The top-level statements of a code cell (IPython magics turned into Python first), or None."""
    try:
        return ast.parse(TransformerManager().transform_cell(cell.source)).body
    except SyntaxError:
        return None


def imports(cell):
    """Whether a code cell has an import statement anywhere."""
    body = statements(cell) or []
    return any(isinstance(n, (ast.Import, ast.ImportFrom)) for s in body for n in ast.walk(s))


def check_title(path, notebook):
    """The first line is `# NN · Topic` (topics) or `# Exercise 17.N · Title` (exercises and solutions)."""
    line = intro(notebook).strip().splitlines()[0] if intro(notebook).strip() else ""
    if kind(path) == "topic":
        number = TOPIC.fullmatch(path.name).group(1)
        wanted, pattern = f"# {number} · Topic", rf"# {number} · \S.*"
    elif kind(path) == "exercise":
        number = EXERCISE.fullmatch(path.name).group(1)
        wanted, pattern = f"# Exercise 17.{number} · Title", rf"# Exercise 17\.{number} · \S.*"
    else:
        return ["is neither a topic (notebooks/NN_topic.ipynb) nor an exercise (notebooks/exercises or "
                "solutions/17_N_name.ipynb)"]
    return [] if re.fullmatch(pattern, line) else [f"title line is {line!r}, expected {wanted!r} in the first cell"]


def check_objectives(path, notebook):
    """The first cell has a numbered objectives list: 1., 2., ... (at least two)."""
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", prose(intro(notebook)), re.M)]
    if len(numbers) < 2:
        return ["the first cell has no numbered objectives list (1. ..., 2. ...)"]
    if numbers != list(range(1, len(numbers) + 1)):
        return [f"the objectives are numbered {numbers}, expected 1 to {len(numbers)}"]
    return []


def check_prerequisites_and_time(path, notebook):
    """The first cell says `**Prerequisites:** ...` and `**Time:** about N minutes`."""
    text = intro(notebook)
    problems = []
    if not re.search(r"\*\*Prerequisites:\*\* *\S", text):
        problems.append("the first cell has no '**Prerequisites:** ...'")
    if not re.search(r"\*\*Time:\*\*[^\n]*\d+ *(minutes|hours?)\b", text):
        problems.append("the first cell has no '**Time:** about N minutes'")
    return problems


def check_imports(path, notebook):
    """One imports cell, only imports, before any other code; no other cell imports (see the module docstring)."""
    cells = code_cells(notebook)
    if not cells:
        return ["has no code cell, so no imports cell"]
    index, first = cells[0]
    problems = []
    body = statements(first)
    if not body or not all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body):
        problems.append(f"the first code cell, {name_of(index, first)}, is not an imports cell (imports only)")
    late = [name_of(i, c) for i, c in cells[1:] if imports(c) and "raises-exception" not in c.metadata.get("tags", [])]
    if late:
        problems.append(f"only the imports cell may import, but {', '.join(late)} imports")
    return problems


def check_sections(path, notebook):
    """A topic has `Try it`, `Summary` and `What's next` headings, in that order, and What's next links somewhere."""
    if kind(path) != "topic":
        return []
    found = [title for cell in notebook.cells if cell.cell_type == "markdown" for _, title in headings(cell.source)]
    missing = [s for s in SECTIONS if s not in found]
    if missing:
        return [f"has no {' / '.join(repr(s) for s in missing)} heading"]
    if sorted(SECTIONS, key=found.index) != SECTIONS:
        return [f"its sections come in the order {sorted(SECTIONS, key=found.index)}, expected {SECTIONS}"]
    links = LINK.search(prose(section_text(notebook, "What's next")))
    return [] if links else ["its What's next section links nowhere"]


def link_problem(path, target):
    """Why a relative link from the notebook at path does not resolve, or None if it does."""
    file, _, anchor = target.partition("#")
    here = path if not file else (path.parent / unquote(file)).resolve()
    if file and (repo_root(path).resolve() not in here.parents or not here.is_file()):
        return f"link {target!r} points at no file in the repository"
    if anchor and here.suffix in (".md", ".ipynb") and unquote(anchor) not in anchors(markdown_of(here)):
        return f"link {target!r}: {here.name} has no heading with the anchor #{anchor}"
    return None


def check_links(path, notebook):
    """Every relative link (markdown links, reference links, HTML href and src) resolves; anchors included."""
    text = prose(markdown_of_notebook(notebook))
    targets = LINK.findall(text) + REFERENCE.findall(text) + HTML.findall(text)
    relative = [t for t in targets if not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//", t)]
    return [p for p in (link_problem(path, t) for t in relative) if p]


def check_cell_length(path, notebook):
    """No code cell is longer than MAX_LINES lines."""
    return [f"{name_of(i, c)} has {n} lines, more than {MAX_LINES}" for i, c in code_cells(notebook)
            if (n := len(c.source.strip("\n").splitlines())) > MAX_LINES]


CHECKS = [check_title, check_objectives, check_prerequisites_and_time, check_imports, check_sections,
          check_links, check_cell_length]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def problems_of(path, check):
    """The problems one check finds in the notebook at path."""
    return check(path, nbformat.read(path, as_version=4))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_notebook_keeps_the_contract(path, check):
    problems = problems_of(path, check)
    if problems:
        pytest.fail(f"{path.relative_to(ROOT)}: {'; '.join(problems)}", pytrace=False)


def test_every_kind_of_notebook_is_checked():
    kinds = {kind(p) for p in NOTEBOOKS}
    assert {"topic", "exercise"} <= kinds, kinds


# The checks themselves, on small notebooks made here: each must catch what it is for.

GOOD_INTRO = ("# 05 · Something\n\nIntro.\n\n**In this notebook you will**\n1. do one thing;\n2. do another.\n\n"
              "**Prerequisites:** [00 · Start here](00_start_here.ipynb). **Time:** about 20 minutes.")
GOOD_END = ("## Try it\n\n- Something.\n\n## Summary\n\n- Something.\n\n## What's next\n\n"
            "[the course map](../README.md#the-notebooks)")


def make(tmp_path, cells, name="05_something.ipynb", folder="notebooks"):
    """Write a notebook of (kind, source, tags) cells under tmp_path/folder, beside a README; return its path."""
    (tmp_path / "README.md").write_text("# Course\n\n## The notebooks\n\n| | topic |\n")
    path = tmp_path / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "notebooks" / "00_start_here.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    made = [nbformat.v4.new_code_cell(s, metadata={"tags": t}) if k == "code" else nbformat.v4.new_markdown_cell(s)
            for k, s, t in cells]
    path.write_text(nbformat.writes(nbformat.v4.new_notebook(cells=made)))
    return path


def good_cells():
    """The cells of a notebook that keeps the contract."""
    return [("markdown", GOOD_INTRO, []), ("code", "import socket\nfrom helpers import serve", []),
            ("markdown", "## A section\n\n```python\n# not a heading\nimport fine_in_a_fence\n```", []),
            ("code", "%time serve('echo')", []), ("markdown", GOOD_END, [])]


def test_a_good_notebook_passes_every_check(tmp_path):
    path = make(tmp_path, good_cells())
    assert {c.__name__: problems_of(path, c) for c in CHECKS} == {c.__name__: [] for c in CHECKS}


@pytest.mark.parametrize("old, new, check, expected", [
    ("# 05 · Something", "# 5 - Something", check_title, "title line is '# 5 - Something', expected '# 05 · Topic'"),
    ("# 05 · Something", "# 06 · Something", check_title, "expected '# 05 · Topic'"),
    ("2. do another", "3. do another", check_objectives, "numbered [1, 3], expected 1 to 2"),
    ("1. do one thing;\n2. do another.", "- do one thing", check_objectives, "no numbered objectives list"),
    ("**Time:** about 20 minutes", "", check_prerequisites_and_time, "no '**Time:** about N minutes'"),
    ("**Prerequisites:**", "Needs:", check_prerequisites_and_time, "no '**Prerequisites:** ...'"),
    ("00_start_here.ipynb", "04_missing.ipynb", check_links, "link '04_missing.ipynb' points at no file"),
])
def test_a_broken_intro_is_caught(tmp_path, old, new, check, expected):
    cells = good_cells()
    cells[0] = ("markdown", GOOD_INTRO.replace(old, new), [])
    problems = problems_of(make(tmp_path, cells), check)
    assert len(problems) == 1 and expected in problems[0], problems


@pytest.mark.parametrize("old, new, expected", [
    ("## Summary", "## In short", "has no 'Summary' heading"),
    ("## Try it", "Try it:", "has no 'Try it' heading"),
    ("## What's next\n\n[the course map](../README.md#the-notebooks)", "## What's next\n\nSoon.", "links nowhere"),
    ("#the-notebooks", "#the-notebook", "README.md has no heading with the anchor #the-notebook"),
    ("../README.md", "../../README.md", "points at no file in the repository"),
])
def test_a_broken_ending_is_caught(tmp_path, old, new, expected):
    cells = good_cells()
    cells[-1] = ("markdown", GOOD_END.replace(old, new), [])
    problems = problems_of(make(tmp_path, cells), check_sections) + problems_of(make(tmp_path, cells), check_links)
    assert len(problems) == 1 and expected in problems[0], problems


def test_sections_out_of_order_are_caught(tmp_path):
    cells = good_cells()
    cells[-1] = ("markdown", "## Summary\n\n## Try it\n\n## What's next\n\n[map](../README.md)", [])
    assert "order ['Summary', 'Try it', \"What's next\"]" in problems_of(make(tmp_path, cells), check_sections)[0]


def test_imports_outside_the_imports_cell_are_caught(tmp_path):
    cells = good_cells()
    cells.insert(4, ("code", "def f():\n    import os\n    return os", []))
    problems = problems_of(make(tmp_path, cells), check_imports)
    assert problems == ["only the imports cell may import, but cell 4 ('def f():') imports"]


def test_a_failing_import_tagged_raises_exception_is_allowed(tmp_path):
    cells = good_cells()
    cells.insert(4, ("code", "import msgpackrpc  # breaks Jupyter: the lesson", ["raises-exception"]))
    assert problems_of(make(tmp_path, cells), check_imports) == []


def test_code_before_the_imports_cell_is_caught(tmp_path):
    cells = good_cells()
    cells.insert(1, ("code", "x = 1", []))
    problems = problems_of(make(tmp_path, cells), check_imports)
    assert problems == ["the first code cell, cell 1 ('x = 1'), is not an imports cell (imports only)",
                        "only the imports cell may import, but cell 2 ('import socket') imports"]


def test_a_long_code_cell_is_caught(tmp_path):
    cells = good_cells()
    cells[3] = ("code", "\n".join(f"x{i} = {i}" for i in range(13)), [])
    assert problems_of(make(tmp_path, cells), check_cell_length) == ["cell 3 ('x0 = 0') has 13 lines, more than 12"]


def test_exercises_have_their_own_title_and_no_topic_sections(tmp_path):
    cells = [("markdown", GOOD_INTRO.replace("# 05 · Something", "# Solution 17.2 · A server")
              .replace("00_start_here", "../00_start_here"), []), ("code", "import socket", [])]
    path = make(tmp_path, cells, name="17_2_server.ipynb", folder="notebooks/solutions")
    assert problems_of(path, check_title) == ["title line is '# Solution 17.2 · A server', "
                                              "expected '# Exercise 17.2 · Title' in the first cell"]
    assert problems_of(path, check_sections) == problems_of(path, check_links) == []


def test_a_dead_link_in_a_copy_of_a_real_notebook_is_caught(tmp_path):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    path = tmp_path / "notebooks" / "02_messages_over_tcp.ipynb"
    before = problems_of(path, check_links)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[-1].source += "\n\n[04 · ZeroMQ request-reply](04_zeromq_reqrep.ipynb)"
    nbformat.write(notebook, path)
    dead = "link '04_zeromq_reqrep.ipynb' points at no file in the repository"
    assert problems_of(path, check_links) == before + [dead]
