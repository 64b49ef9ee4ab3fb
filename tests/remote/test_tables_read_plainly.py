"""Notebook 13's tables as a learner reads them: an output's lines as lines (no `\\n`), a blank where a value is
missing (no `<NA>`), and "no rows" in words where pandas would print a bare "Empty DataFrame"."""
import pytest

from helpers.remote import SaltModel, run_everywhere, start_hosts


@pytest.fixture(scope="module")
def hosts():
    running = start_hosts(("test-tb1", "test-tb2"))
    yield running
    for host in running:
        host.stop()


def test_fabric_rows_show_lines_and_a_blank_exit_for_a_host_that_is_down(hosts):
    hosts[1].stop()
    try:
        table = run_everywhere(hosts, "echo one; echo two")
    finally:
        hosts[1].start()
    html, text = table._repr_html_(), repr(table)
    assert "one\ntwo</td>" in html and "\\n" not in html and "&lt;NA&gt;" not in html
    assert "<NA>" not in text and "\\n" not in text
    assert table.stdout[0] == "one\ntwo\n" and table.exit.isna()[1]  # the data stay as they were


def test_a_target_nobody_matches_says_no_rows(tmp_path):
    (tmp_path / "web1").mkdir()
    with SaltModel({"web1": tmp_path / "web1"}, name="test-salt-rows") as salt:
        empty = salt.cmd("mail*", "test.ping")
        assert empty.empty and str(empty).startswith("no rows") and "Empty DataFrame" not in str(empty)
        assert "no rows" in empty._repr_html_()
        table = salt.cmd("*", "cmd.run", "printf 'a\\nb'")
        assert "a\nb</td>" in table._repr_html_() and table.rc.dtype == "Int64"
