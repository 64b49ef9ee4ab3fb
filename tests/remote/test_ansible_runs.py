"""Ansible against the SSH hosts: ad-hoc rows, a playbook that says changed then ok, both connection plugins,
its files kept out of the learner's home, and a run that overstays its timeout ended with its whole group."""
import os
import re
import textwrap
import time

import psutil
import pytest

from helpers.core.errors import ServiceError
from helpers.remote import Ansible, control_folder, inventory_text, keys, start_hosts, transport

PLAYBOOK = textwrap.dedent("""
    - hosts: all
      gather_facts: false
      tasks:
        - name: motd
          ansible.builtin.copy: {dest: "{{ folder }}/motd.txt", content: "hello {{ inventory_hostname }}\\n"}
        - name: logs
          ansible.builtin.file: {path: "{{ folder }}/logs", state: directory}
""")


@pytest.fixture(scope="module")
def hosts():
    running = start_hosts(("test-an1", "test-an2", "test-db1"))
    yield running
    for host in running:
        host.stop()


@pytest.fixture(scope="module")
def inventory(hosts):
    path = control_folder() / "test-inventory.ini"
    path.write_text(inventory_text(hosts))
    return path


def test_inventory_groups_hosts_by_name_with_port_and_folder(hosts, inventory):
    text = inventory.read_text()
    assert text.startswith("[test-an]\ntest-an1 ansible_host=127.0.0.1 ansible_port=") and "[test-db]\n" in text
    assert f"ansible_port={hosts[2].port} folder={hosts[2].folder}" in text


def test_adhoc_gives_one_row_per_matching_host(hosts, inventory):
    table = Ansible(inventory).adhoc("test-an", "basename $PWD; echo oops >&2; exit 4", module="shell")
    assert list(table.host) == ["test-an1", "test-an2"]
    assert list(table.stdout) == ["test-an1", "test-an2"] and set(table.stderr) == {"oops"}
    assert set(table.status) == {"failed"} and set(table.rc) == {4}


def test_the_playbook_reports_changed_then_ok(hosts, inventory):
    playbook = control_folder() / "test-site.yml"
    playbook.write_text(PLAYBOOK)
    ansible = Ansible(inventory)
    first, second = ansible.playbook(playbook), ansible.playbook(playbook)
    assert len(first) == len(second) == 6
    assert set(first.status) == {"changed"} and set(second.status) == {"ok"}
    assert (hosts[1].folder / "motd.txt").read_text() == "hello test-an2\n" and (hosts[0].folder / "logs").is_dir()


def test_the_paramiko_connection_works_where_there_is_no_ssh(hosts, inventory, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without an ssh program
    assert transport() == "paramiko"
    ansible = Ansible(inventory)
    assert ansible.connection == "paramiko"
    table = ansible.adhoc("all", "basename $PWD")
    assert list(table.stdout) == [h.name for h in hosts] and set(table.status) == {"changed"}


def test_a_stopped_host_is_unreachable_and_the_others_answer(inventory):
    lonely = start_hosts(("test-gone",))[0]
    path = control_folder() / "test-gone.ini"
    path.write_text(inventory_text(lonely and [lonely]))
    lonely.stop()
    table = Ansible(path).adhoc("all", "true")
    assert list(table.status) == ["unreachable"] and "Connection refused" in table.msg[0]


def test_ansible_writes_nothing_into_the_learners_home(inventory):
    home = os.path.expanduser("~/.ansible")
    before = os.path.exists(home) and os.stat(home).st_mtime
    Ansible(inventory).adhoc("all", "true")
    assert (os.path.exists(home) and os.stat(home).st_mtime) == before
    assert (control_folder().parent / "ansible" / "local_tmp").is_dir()


def test_a_run_past_its_timeout_is_ended_with_all_its_workers(inventory):
    ansible = Ansible(inventory, timeout=4)
    started = time.monotonic()
    with pytest.raises(ServiceError, match="did not finish within 4 s"):
        ansible.adhoc("all", "sleep 57.5")
    assert time.monotonic() - started < 10
    time.sleep(0.5)
    left = [p for p in psutil.process_iter(["cmdline"]) if "sleep 57.5" in " ".join(p.info["cmdline"] or [])
            and "ansible" in " ".join(p.info["cmdline"] or []) and p.pid != os.getpid()]
    assert left == []


@pytest.mark.parametrize("connection", ["ssh", "paramiko"])
def test_a_host_key_missing_from_known_hosts_is_refused(inventory, connection, monkeypatch, tmp_path):
    if connection == "ssh" and transport() != "ssh" and not os.environ.get("CI"):
        pytest.skip("no ssh client here (CI installs one)")
    empty = tmp_path / "known_hosts"
    empty.touch()
    monkeypatch.setattr(keys, "known_hosts", lambda: empty)
    table = Ansible(inventory, connection=connection).adhoc("all", "true")
    assert set(table.status) == {"unreachable"}, table.msg.tolist()
    # ssh names the key; paramiko's plugin asks "continue connecting (yes/no)?", which no one can answer here
    why = r"(?i)host key verification failed" if connection == "ssh" else r"stdin is not interactive"
    assert all(re.search(why, message) for message in table.msg), table.msg.tolist()
