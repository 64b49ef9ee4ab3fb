"""Every notebook passes as a learner runs it: an unprivileged user without capture rights, and within its budget.

Notebook 03 has its own, richer version of this test in tests/packets/test_packets_nonroot.py.
Run as root (as CI is), the suite runs the notebooks themselves only here, as the learner
account, and 03 a second time in the suite's own process, as root, with live capture.
While a notebook runs, the memory of its kernel and of every process it starts is sampled (footprint.py);
its peak may pass the notebook's recorded budget (benchmarks/budget.json, `make budget`) by at most MARGIN.
"""
import json
import os

import pytest

from footprint import Footprint, who
from learner import ROOT, home, learner_notebooks, nbval, unprivileged  # noqa: F401 (home is a fixture)

NOTEBOOKS = [n for n in learner_notebooks() if not n.endswith("03_packets_scapy.ipynb")]
BUDGET = ROOT / "benchmarks" / "budget.json"
MARGIN = 1.25


def over_budget(notebook, peak_mb, budgets):
    """What is wrong with a run of notebook that peaked at peak_mb, as one line; None if it kept its budget."""
    if notebook not in budgets:
        return f"{notebook} has no budget in {BUDGET.name}: run `.venv/bin/python tools/budget.py {notebook}`"
    budget = budgets[notebook]["peak_mb"]
    if peak_mb > budget * MARGIN:
        return (f"{notebook} peaked at {peak_mb:.0f} MB, over its budget of {budget} MB by more than "
                f"{MARGIN - 1:.0%}; if that is meant, re-measure it (`.venv/bin/python tools/budget.py {notebook}`)")
    return None


def test_over_budget_says_when_a_peak_passes_the_margin():
    budgets = {"a.ipynb": {"peak_mb": 400}}
    assert over_budget("a.ipynb", 499, budgets) is None
    assert "over its budget of 400 MB" in over_budget("a.ipynb", 501, budgets)
    assert "no budget" in over_budget("b.ipynb", 10, budgets)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_passes_as_an_unprivileged_user(home, notebook):
    if os.geteuid() != 0:
        pytest.skip("the suite already runs every notebook as this unprivileged user")
    prefix, who_ran = unprivileged(home)
    footprint = Footprint()
    done, outputs = nbval(notebook, home, prefix, footprint=footprint)
    assert done.returncode == 0, f"as {who_ran}:\n" + done.stdout[-3000:] + done.stderr[-2000:]
    assert outputs, "nbval ran no cell"
    if not footprint.readable:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot read the memory of {who_ran}'s processes under CI")
        pytest.skip(f"the notebook passed, but the memory of {who_ran}'s processes is not readable here")
    problem = over_budget(notebook, footprint.peak_mb, json.loads(BUDGET.read_text()))
    assert problem is None, f"{problem}; at the peak: {who(footprint.at_peak)}"
