"""The fleet widget says at once what it is doing (a stop and its two runs take seconds) and keeps its buttons off
meanwhile; a host started again has a clean row, not the error it had while it was stopped."""
import pytest

from helpers.remote import Ansible, Fleet, control_folder, inventory_text, start_hosts


@pytest.fixture(scope="module")
def fleet():
    hosts = start_hosts(("test-fs1", "test-fs2"))
    inventory = control_folder() / "test-fleet-says.ini"
    inventory.write_text(inventory_text(hosts))
    yield Fleet(hosts, Ansible(inventory))
    for host in hosts:
        host.stop()


def test_stop_host_shows_progress_first_and_start_clears_the_old_error(fleet):
    notes, buttons = [], []
    fleet.note.observe(lambda change: (notes.append(change["new"]), buttons.append(fleet.stop_button.disabled)),
                       names="value")
    fleet.victim.value = "test-fs2"
    fleet.stop_host()
    assert "stopping test-fs2" in notes[0] and buttons[0], notes  # before the host stops and the tools run
    assert "is stopped" in notes[-1] and not fleet.stop_button.disabled
    assert "color:#c00'>Task failed" in fleet.table.value or "color:#c00'>NoValid" in fleet.table.value
    fleet.start_host()
    row = fleet.table.value.split("<b>test-fs2</b>")[1]
    assert "running" in row and "color:#c00'></span>" in row, row  # no stale red error
    assert fleet.run("basename $PWD", "Fabric")["test-fs2"]["output"] == "test-fs2\n"
