"""Every notebook passes as a learner runs it: an unprivileged user without capture rights.

Notebook 03 has its own, richer version of this test in tests/packets/test_packets_nonroot.py.
Run as root (as CI is), the suite runs the notebooks themselves only here, as the learner
account, and 03 a second time in the suite's own process, as root, with live capture.
"""
import os

import pytest

from learner import home, learner_notebooks, nbval, unprivileged  # noqa: F401 (home is a fixture)

NOTEBOOKS = [n for n in learner_notebooks() if not n.endswith("03_packets_scapy.ipynb")]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_passes_as_an_unprivileged_user(home, notebook):
    if os.geteuid() != 0:
        pytest.skip("the suite already runs every notebook as this unprivileged user")
    prefix, who = unprivileged(home)
    done, outputs = nbval(notebook, home, prefix)
    assert done.returncode == 0, f"as {who}:\n" + done.stdout[-3000:] + done.stderr[-2000:]
    assert outputs, "nbval ran no cell"
