"""Nothing is left when a kernel that runs SSH hosts, a Salt model and an Ansible run is killed from outside."""
import time

import psutil

from ended import all_gone, python_parent, sigkill
from helpers.remote import transport

SCRIPT = """
from helpers.remote import Ansible, SaltModel, control_folder, inventory_text, start_hosts
hosts = start_hosts(("kill-a", "kill-b"))
salt = SaltModel({h.name: h.folder for h in hosts}, name="kill-salt").start()
inventory = control_folder() / "inventory.ini"
inventory.write_text(inventory_text(hosts))
print(*[h.port for h in hosts], flush=True)
Ansible(inventory).adhoc("all", "sleep 61.25")
"""


def marked():
    return [p for p in psutil.process_iter(["cmdline"]) if "61.25" in " ".join(p.info["cmdline"] or [])]


def test_ssh_servers_ansible_and_its_workers_die_with_the_kernel():
    with python_parent(SCRIPT) as parent:
        ports = [int(p) for p in parent.stdout.readline().split()]
        deadline = time.monotonic() + 30
        while len([p for p in marked() if p.name() == "sleep"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # both hosts run the command: Ansible's workers and ssh clients are all up
        family = psutil.Process(parent.pid).children(recursive=True) + marked()
        names = {p.name() for p in family}
        client = "ssh" if transport() == "ssh" else "ansible"  # with paramiko, the workers hold the connections
        assert "sleep" in names and client in names and len(family) >= 8, names
        sigkill(parent)
        assert all_gone(family, ports, wait=10), [p for p in family if p.is_running()]
