"""Write the learner notebooks (notebooks/exercises/) from the solution notebooks (`make exercises`).

Does what `nbgrader generate_assignment` does, without nbgrader: each `### BEGIN SOLUTION` ...
`### END SOLUTION` region becomes nbgrader's stub. Also: autograder cells, which fail until the
exercise is solved, get the `raises-exception` tag; the first cell points at the solution; outputs go.
"""
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "notebooks" / "solutions"
EXERCISES = ROOT / "notebooks" / "exercises"
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"  # matched anywhere in a line, as nbgrader does
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]  # nbgrader's stub: both versions agree
TEXT_STUB = ["YOUR ANSWER HERE"]
NOTE = ("\n\nStuck? The solution is in [../solutions/{name}](../solutions/{name}),\n"
        "but try first: the checker's hints are there to help.")


def grading(cell):
    """The cell's nbgrader metadata ({} for a plain cell)."""
    return cell.metadata.get("nbgrader", {})


def without_solution(source, stub):
    """The source with each solution region replaced by the stub, indented like its BEGIN line."""
    lines, inside = [], False
    for line in source.split("\n"):
        if BEGIN in line:
            if inside:
                raise ValueError(f"a solution region inside another one: {line.strip()!r}")
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            lines += [indent + part for part in stub]
        elif END in line:
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError("a solution region without its END SOLUTION line")
    return "\n".join(lines)


def learner_cell(cell):
    """The learner's version of one cell."""
    stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
    source = without_solution(cell.source, stub)
    if source != cell.source and not grading(cell).get("solution"):
        raise ValueError(f"cell {cell.get('id')}: a solution region outside an nbgrader solution cell")
    if grading(cell).get("solution") and source == cell.source:
        source = "\n".join(stub)  # a solution cell without markers is all solution, as in nbgrader
    cell.source = source
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
        if grading(cell).get("grade"):  # an autograder cell: it fails until the exercise is solved
            tags = cell.metadata.setdefault("tags", [])
            tags += [] if "raises-exception" in tags else ["raises-exception"]
    return cell


def learner_notebook(path):
    """The learner's notebook made from the solution notebook at path."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [learner_cell(cell) for cell in notebook.cells]
    notebook.cells[0].source += NOTE.format(name=path.name)
    return notebook


def learner_text(path):
    """The learner's notebook made from the solution notebook at path, as the text of its file."""
    return nbformat.writes(learner_notebook(path)) + "\n"


def main():
    """Write every learner notebook and say which."""
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        target = EXERCISES / path.name
        target.write_text(learner_text(path), encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
