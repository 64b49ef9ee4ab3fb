"""The fleet widget without a browser: Run fills each host's row; Stop host shows how Fabric and Ansible report it."""
import pytest

from helpers.remote import Ansible, Fleet, control_folder, inventory_text, start_hosts


@pytest.fixture(scope="module")
def fleet():
    hosts = start_hosts(("test-fl1", "test-fl2"))
    inventory = control_folder() / "test-fleet.ini"
    inventory.write_text(inventory_text(hosts))
    yield Fleet(hosts, Ansible(inventory))
    for host in hosts:
        host.stop()


@pytest.mark.parametrize("tool", ["Fabric", "Ansible"])
def test_run_shows_each_hosts_output_and_exit_status(fleet, tool):
    rows = fleet.run('basename $PWD; [ "$(basename $PWD)" = test-fl1 ]', tool)
    assert {h: (r["exit"], r["output"].strip()) for h, r in rows.items()} == {"test-fl1": (0, "test-fl1"),
                                                                           "test-fl2": (1, "test-fl2")}
    assert "test-fl2</pre>" in fleet.table.value.replace("\n", "")


def test_stopping_a_host_shows_both_tools_reports_and_it_can_start_again(fleet):
    fleet.victim.value = "test-fl2"
    fleet.stop_host()
    assert "NoValidConnectionsError" in fleet.note.value and "UNREACHABLE" in fleet.note.value
    assert "stopped" in fleet.table.value
    fleet.start_host()
    assert fleet.run("basename $PWD", "Fabric")["test-fl2"]["output"] == "test-fl2\n"
