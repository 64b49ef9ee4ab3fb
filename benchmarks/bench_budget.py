"""A learner's budget: every notebook Run All as a learner (tools/budget.py), summed up; `make budget` keeps the
per-notebook table in benchmarks/budget.json."""
import importlib.util
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "budget.py"


def budget_tool():
    """tools/budget.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("budget_tool", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(results):
    """The budget keys for benchmarks/results.json: the heaviest notebook's peak and the whole course's cost."""
    found = budget_tool().measure_all()
    heaviest = max(found, key=lambda notebook: found[notebook]["peak_mb"])
    return {"budget_peak_mb_max": found[heaviest]["peak_mb"], "budget_heaviest_notebook": Path(heaviest).stem,
            "budget_notebooks_over_1gb": sum(line["peak_mb"] > 1024 for line in found.values()),
            "budget_course_cpu_s": round(sum(line["cpu_s"] or 0 for line in found.values()), 1),
            "budget_course_wall_s": round(sum(line["wall_s"] for line in found.values()), 1)}


if __name__ == "__main__":
    print(run({}))
