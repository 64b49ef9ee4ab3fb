"""Each topic is one slice: a helpers package, a test folder with a browser check, a bench module."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = {"core", "servers", "widgets"}
TOPICS = sorted(p.parent.name for p in (ROOT / "helpers").glob("*/__init__.py") if p.parent.name not in SHARED)


def test_there_are_topics():
    assert {"sockets", "packets"} <= set(TOPICS)


@pytest.mark.parametrize("topic", TOPICS)
def test_a_topic_has_its_tests_browser_check_and_bench(topic):
    assert (ROOT / "tests" / topic).is_dir(), f"tests/{topic}/ is missing"
    assert (ROOT / "tests" / topic / f"test_browser_{topic}.py").exists(), f"tests/{topic}/test_browser_{topic}.py"
    assert (ROOT / "benchmarks" / f"bench_{topic}.py").exists(), f"benchmarks/bench_{topic}.py is missing"


def test_every_bench_module_has_run_and_names_a_package():
    for path in (ROOT / "benchmarks").glob("bench_*.py"):
        topic = path.stem.removeprefix("bench_")
        if topic == "budget":  # course-wide: every notebook's memory and CPU as a learner runs it
            continue
        assert (ROOT / "helpers" / topic).is_dir(), f"{path.name} names no helpers package"
        functions = {n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)}
        assert "run" in functions, f"{path.name} has no run(results)"


def test_test_file_names_are_unique_across_folders():
    names = [p.name for p in (ROOT / "tests").rglob("test_*.py")]
    assert len(names) == len(set(names)), "pytest needs unique test file names (tests/ has no packages)"
