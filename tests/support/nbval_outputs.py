"""pytest plugin for the notebook subprocess tests: append each cell's outputs to $DIS_NBVAL_OUTPUTS (JSON lines)."""
import json
import os


def pytest_runtest_teardown(item):
    outputs, path = getattr(item, "test_outputs", None), os.environ.get("DIS_NBVAL_OUTPUTS")
    if path and outputs is not None:
        with open(path, "a") as log:
            log.write(json.dumps(outputs, default=str) + "\n")
