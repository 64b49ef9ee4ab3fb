"""A class grades each exercise with the real nbgrader: the solution earns full marks, the unsolved exercise none.

The course directory, Jupyter's folders and HOME all live in a temporary folder; nbgrader runs on its
command line, and its kernel is this environment's Python, where `helpers` is installed.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks" / "solutions").glob("17_*.ipynb"))  # one assignment each
SUBMISSIONS = {"solver": "solutions", "starter": "exercises", "editor": "exercises"}  # student: where from
SCRIPTS = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH, as in an activated environment


def private_env(home):
    """The environment for nbgrader and its kernels: every folder they write to is inside home."""
    env = dict(os.environ, HOME=str(home), IPYTHONDIR=str(home / "ipython"), MPLCONFIGDIR=str(home / "mpl"),
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), XDG_CACHE_HOME=str(home / "cache"),
               PATH=SCRIPTS + os.pathsep + os.environ.get("PATH", ""))
    env.pop("JUPYTER_PATH", None)
    return env


def use_this_python_as_kernel(home):
    """Install the python3 kernelspec, pointing at this environment's Python, into the private data folder."""
    spec = home / "data" / "kernels" / "python3" / "kernel.json"
    spec.parent.mkdir(parents=True)
    spec.write_text(json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                "display_name": "Python 3 (ipykernel)", "language": "python"}))


def nbgrader(course, home, *args):
    """Run one nbgrader command in the course directory; fail with its log if it fails."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=private_env(home),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done


def kernels_of(home):
    """Processes still running that were started with a file of the private runtime folder (our kernels)."""
    runtime = str(home / "runtime")
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(runtime in part for part in proc.info["cmdline"] or []):
            found.append(proc)
    return found


def edit_the_checker(path):
    """Replace the checker cell's code by a line that cannot fail, as a student might."""
    notebook = nbformat.read(path, as_version=4)
    next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")).source = "result = None"
    nbformat.write(notebook, path)


def assignment_of(notebook):
    """The assignment name nbgrader gets for an exercise notebook: 17_1_time_server -> ex17_1."""
    return "ex" + "_".join(notebook.split("_")[:2])


def grader_id(notebook):
    """The grade id of the exercise's autograder cell."""
    source = nbformat.read(ROOT / "notebooks" / "solutions" / f"{notebook}.ipynb", as_version=4)
    return next(c.metadata.nbgrader["grade_id"] for c in source.cells if c.metadata.get("nbgrader", {}).get("grade"))


@pytest.fixture(scope="module", params=NOTEBOOKS)
def course(request, tmp_path_factory):
    """A course directory after `generate_assignment`, and `autograde` of the three submissions."""
    name, assignment = request.param, assignment_of(request.param)
    home, course = tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("course")
    use_this_python_as_kernel(home)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "data-in-space"\n')
    (course / "source" / assignment).mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "solutions" / f"{name}.ipynb", course / "source" / assignment)
    nbgrader(course, home, "generate_assignment", assignment)
    for student, folder in SUBMISSIONS.items():
        (course / "submitted" / student / assignment).mkdir(parents=True)
        shutil.copy(ROOT / "notebooks" / folder / f"{name}.ipynb", course / "submitted" / student / assignment)
    edit_the_checker(course / "submitted" / "editor" / assignment / f"{name}.ipynb")
    nbgrader(course, home, "autograde", assignment)
    return course, home, name


def scores(course, student, monkeypatch):
    """(score, max score) of a student's notebook, and the checker cell's score, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook  # here, not at the top: importing it takes 2 s in every test worker

    course, _, name = course
    monkeypatch.setenv("PATH", SCRIPTS + os.pathsep + os.environ.get("PATH", ""))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(name, assignment_of(name), student)
        checker = gradebook.find_grade(grader_id(name), name, assignment_of(name), student)
        return notebook.score, notebook.max_score, checker.score


def test_the_solution_earns_full_marks(course, monkeypatch):
    assert scores(course, "solver", monkeypatch) == (10, 10, 10)


def test_the_unsolved_exercise_earns_nothing(course, monkeypatch):
    assert scores(course, "starter", monkeypatch) == (0, 10, 0)


def test_an_edited_checker_is_put_back_before_grading(course, monkeypatch):
    assert scores(course, "editor", monkeypatch) == (0, 10, 0)


def test_the_graded_notebooks_show_the_checkers_report(course):
    course, _, name = course
    assignment = assignment_of(name)
    for student, verdict in [("solver", "Result: passed"), ("starter", "Result: not solved yet")]:
        graded = nbformat.read(course / "autograded" / student / assignment / f"{name}.ipynb", as_version=4)
        checker = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade"))
        assert verdict in "".join(o.get("text", "") for o in checker.outputs)


def test_the_release_has_the_learner_versions_code(course):
    course, _, name = course
    released = nbformat.read(course / "release" / assignment_of(name) / f"{name}.ipynb", as_version=4)
    learner = nbformat.read(ROOT / "notebooks" / "exercises" / f"{name}.ipynb", as_version=4)
    code = [[c.source for c in nb.cells if c.cell_type == "code"] for nb in (released, learner)]
    assert code[0] == code[1]
    assert "BEGIN SOLUTION" not in json.dumps(code[0])


def test_grading_leaves_no_kernel_running(course):
    assert kernels_of(course[1]) == []
