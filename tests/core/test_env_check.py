"""The environment check of notebook 00: a table, a verdict, and no stray value under the cell."""
from helpers import environment_report
from helpers.core.env_check import check


def test_report_prints_every_row_and_leaves_nothing_for_the_cell_to_show(capsys):
    assert environment_report() is None  # a returned True would print under the table in Jupyter
    out = capsys.readouterr().out
    assert "All set: every core package imports." in out
    assert len([line for line in out.splitlines() if line.startswith(("ok ", "BAD"))]) == len(check())
