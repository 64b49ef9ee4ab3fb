"""13_remote_management in a real browser: Run All, a command typed into the fleet widget and run with Fabric and
with Ansible, then one host stopped: its row and both tools' reports change."""
from browser import CURRENT, browser, lab, screenshot, walked  # noqa: F401 (fixtures)


def run(fleet, command, tool, expect):
    """Type command, pick tool, press Run; wait for the note saying so and a table holding expect; return the table."""
    fleet.locator(".dis-fleet-command input").fill(command)
    fleet.locator(".dis-fleet-tool select").select_option(label=tool)
    fleet.locator(".dis-fleet-run").click()
    fleet.locator(".dis-fleet-note", has_text=f"{tool} ran").wait_for(timeout=30_000)
    fleet.locator(".dis-fleet-table", has_text=expect).wait_for(timeout=30_000)
    return fleet.locator(".dis-fleet-table").inner_text()


def test_run_all_then_run_a_command_in_the_fleet_widget(browser, lab):
    with walked(browser, lab, "13_remote_management.ipynb") as page:
        fleet = page.locator(CURRENT + " .dis-fleet").first
        fleet.scroll_into_view_if_needed()
        try:
            table = run(fleet, "echo from-$(basename $PWD); exit 5", "Fabric", "from-db1")
            assert all(f"from-{name}" in table for name in ("web1", "web2", "db1")) and table.count("\t5\t") == 3
            table = run(fleet, "echo ansible-$(basename $PWD)", "Ansible", "ansible-web2")
            assert "ansible-web1" in table and "ansible-db1" in table
            fleet.locator("button", has_text="Stop host").click()
            note = fleet.locator(".dis-fleet-note", has_text="is stopped")
            note.wait_for(timeout=60_000)
            assert "NoValidConnectionsError" in note.inner_text() and "UNREACHABLE" in note.inner_text()
            assert "stopped" in fleet.locator(".dis-fleet-table").inner_text()
        finally:
            shot = screenshot(page, "13_remote_management")
        assert shot.stat().st_size > 10_000
