"""The learner notebooks are made from the solution notebooks by `make exercises`, never edited by hand."""
import difflib
import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("make_exercises", ROOT / "tools" / "make_exercises.py")
generator = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(generator)
SOLUTIONS = sorted(generator.SOLUTIONS.glob("*.ipynb"))


def graded(notebook, key):
    """The cells nbgrader marks with key ('solution' or 'grade')."""
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get(key)]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_the_committed_learner_version_is_what_make_exercises_writes(solution):
    committed = (generator.EXERCISES / solution.name).read_text(encoding="utf-8").splitlines()
    made = generator.learner_text(solution).splitlines()
    diff = "\n".join(list(difflib.unified_diff(committed, made, "committed", "made", lineterm=""))[:40])
    assert committed == made, (f"notebooks/exercises/{solution.name} is not what `make exercises` makes from "
                               f"notebooks/solutions/{solution.name}: edit the solution, then run it.\n{diff}")


def test_every_exercise_has_its_solution():
    exercises = sorted(p.name for p in generator.EXERCISES.glob("*.ipynb"))
    assert exercises == [p.name for p in SOLUTIONS] and exercises


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_the_learner_version_has_no_solution_code(solution):
    source = nbformat.read(solution, as_version=4)
    learner = nbformat.read(generator.EXERCISES / solution.name, as_version=4)
    learner_code = "\n".join(c.source for c in learner.cells)
    for cell in graded(source, "solution"):
        before, _, rest = cell.source.partition("### BEGIN SOLUTION")
        hidden, _, after = rest.partition("### END SOLUTION")
        assert hidden.strip() and before.strip(), f"cell {cell.id}: a solution cell keeps its solution in markers"
        assert [line for line in hidden.splitlines()[1:] if line.strip() and line.strip() in learner_code] == []
        assert before.rstrip() + "\n" in learner_code + "\n"  # the signature and docstring stay
    assert "SOLUTION" not in learner_code


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_autograder_cells_have_points_and_fail_on_purpose_only_for_the_learner(solution):
    source = nbformat.read(solution, as_version=4)
    learner = nbformat.read(generator.EXERCISES / solution.name, as_version=4)
    graders = graded(source, "grade")
    assert graders and graded(source, "solution"), "an exercise has a solution cell and an autograder cell"
    for cell in graders:
        assert cell.metadata.nbgrader["points"] > 0 and cell.metadata.nbgrader["locked"]
        assert "raises-exception" not in cell.metadata.get("tags", [])  # the solution must pass it
    assert all("raises-exception" in c.metadata.get("tags", []) for c in graded(learner, "grade"))


def test_exercise_17_1_is_graded_by_its_checker():
    notebook = nbformat.read(generator.SOLUTIONS / "17_1_time_server.ipynb", as_version=4)
    [checker] = graded(notebook, "grade")
    assert checker.source.splitlines()[0] == "result = check_time_server(time_server)"
    assert checker.source.splitlines()[-1].startswith("assert result.passed")


def test_the_learner_version_points_at_the_solution():
    learner = nbformat.read(generator.EXERCISES / "17_1_time_server.ipynb", as_version=4)
    assert "(../solutions/17_1_time_server.ipynb)" in learner.cells[0].source
    assert "solutions/" not in nbformat.read(generator.SOLUTIONS / "17_1_time_server.ipynb", as_version=4).cells[0].source


def test_a_solution_region_becomes_the_stub_at_its_indent():
    source = "def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\nf(1)"
    assert generator.without_solution(source, ["# YOUR CODE HERE", "raise NotImplementedError()"]) == (
        "def f(x):\n    \"\"\"Doc.\"\"\"\n    # YOUR CODE HERE\n    raise NotImplementedError()\nf(1)")


@pytest.mark.parametrize("source, problem", [
    ("### BEGIN SOLUTION\nx = 1", "without its END SOLUTION"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another one"),
])
def test_broken_markers_are_refused(source, problem):
    with pytest.raises(ValueError, match=problem):
        generator.without_solution(source, ["stub"])


def test_a_solution_region_outside_a_solution_cell_is_refused():
    cell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    with pytest.raises(ValueError, match="outside an nbgrader solution cell"):
        generator.learner_cell(cell)


def test_a_solution_cell_without_markers_is_all_stub_and_outputs_go():
    cell = nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"solution": True, "grade_id": "x"}},
                                     execution_count=3, outputs=[nbformat.v4.new_output("stream", text="1")])
    cell = generator.learner_cell(cell)
    assert (cell.source, cell.outputs, cell.execution_count) == (
        "# YOUR CODE HERE\nraise NotImplementedError()", [], None)
