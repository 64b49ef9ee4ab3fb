"""Ansible (ansible-core) against the course's SSH hosts: its CLI run as a child, its home and temp in the course's
temp folder, every result read back as a table row (host, task, status, rc, output)."""
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from helpers.core.errors import ServiceError
from helpers.core.process import end_process, spawn
from helpers.remote import keys
from helpers.remote.tables import host_table

BIN = Path(sys.executable).parent  # ansible and ansible-playbook are installed beside the course's Python
PLUGINS = Path(__file__).with_name("ansible_plugins")
TIMEOUT = 120  # seconds for one whole ansible run; then its whole process group is killed
COLUMNS = ["host", "task", "status", "rc", "stdout", "stderr", "msg"]


def inventory_text(hosts):
    """An INI inventory: hosts grouped by name less digits (web1, web2 -> [web]), each with its port and folder."""
    groups = {}
    for host in hosts:
        groups.setdefault(host.name.rstrip("0123456789") or "hosts", []).append(host)
    return "".join(f"[{group}]\n" + "".join(f"{h.name} ansible_host=127.0.0.1 ansible_port={h.port} folder={h.folder}\n"
                                             for h in members) + "\n" for group, members in groups.items())


def transport():
    """Ansible's connection plugin: the system's ssh client, or paramiko where there is no `ssh` program."""
    return "ssh" if shutil.which("ssh") else "paramiko"


class Ansible:
    """Runs `ansible` and `ansible-playbook` with an inventory; results come back as pandas tables."""

    def __init__(self, inventory, connection=None, timeout=TIMEOUT):
        self.inventory, self.timeout = Path(inventory), timeout
        self.connection = connection or transport()
        self.folder = keys.session_folder() / "ansible"  # ANSIBLE_HOME, temp folders and HOME: never the learner's
        for sub in ("", "home", "home/.ssh", "local_tmp", "remote_tmp", "cp"):
            (self.folder / sub).mkdir(exist_ok=True, mode=0o700)
        (self.folder / "ansible.cfg").touch(mode=0o600)  # no /etc/ansible/ansible.cfg, none from the working folder

    def env(self):
        """The environment of an ansible run: everything Ansible writes stays under self.folder."""
        shutil.copy(keys.known_hosts(), self.folder / "home/.ssh/known_hosts")  # where paramiko looks
        ssh_args = (f"-o ControlMaster=no -o UserKnownHostsFile={keys.known_hosts()} -o StrictHostKeyChecking=yes "
                    "-o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10")
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.folder / "home"),
                "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "USER": keys.user(),
                "ANSIBLE_CONFIG": str(self.folder / "ansible.cfg"), "ANSIBLE_HOME": str(self.folder),
                "ANSIBLE_LOCAL_TEMP": str(self.folder / "local_tmp"),
                "ANSIBLE_REMOTE_TMP": str(self.folder / "remote_tmp"),
                "ANSIBLE_SSH_CONTROL_PATH_DIR": str(self.folder / "cp"), "ANSIBLE_SSH_ARGS": ssh_args,
                "ANSIBLE_TRANSPORT": self.connection, "ANSIBLE_HOST_KEY_CHECKING": "True",
                "ANSIBLE_PARAMIKO_LOOK_FOR_KEYS": "False", "ANSIBLE_PARAMIKO_HOST_KEY_AUTO_ADD": "False",
                "ANSIBLE_PRIVATE_KEY_FILE": str(keys.client_key()), "ANSIBLE_REMOTE_USER": keys.user(),
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable, "ANSIBLE_TIMEOUT": "10", "ANSIBLE_FORKS": "5",
                "ANSIBLE_STDOUT_CALLBACK": "course_rows", "ANSIBLE_CALLBACK_PLUGINS": str(PLUGINS),
                "ANSIBLE_LOAD_CALLBACK_PLUGINS": "True", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "False",
                "ANSIBLE_DEPRECATION_WARNINGS": "False", "ANSIBLE_SYSTEM_WARNINGS": "False",
                "ANSIBLE_LOCALHOST_WARNING": "False", "PYTHONPATH": ""}

    def adhoc(self, pattern, args, module="command"):
        """`ansible PATTERN -m MODULE -a ARGS`: one row per host."""
        return self.run(["ansible", pattern, "-m", module, "-a", args])

    def playbook(self, path):
        """`ansible-playbook PATH`: one row per host and task."""
        return self.run(["ansible-playbook", str(path)])

    def run(self, argv):
        """Run an ansible program with the inventory; its results as a table (ServiceError if it printed none)."""
        command = [sys.executable, "-m", "helpers.remote.group_guard", "--", str(BIN / argv[0]),
                   "-i", str(self.inventory), *argv[1:]]
        proc = spawn(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     env=self.env(), cwd=self.folder, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()  # the guard kills ansible, its workers and their ssh clients
            end_process(proc)
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # and, should the guard be stuck, whatever is left of its group
            except ProcessLookupError:
                pass
            raise ServiceError(f"{argv[0]} did not finish within {self.timeout:g} s") from None
        rows = [json.loads(line) for line in out.decode(errors="replace").splitlines() if line.startswith("{")]
        if not rows:
            lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
            raise ServiceError(f"{argv[0]} failed: {lines[-1] if lines else f'exit status {proc.returncode}'}")
        return self.table(rows)

    def table(self, rows):
        """Rows in task order, hosts in inventory order within each task; rc as a whole number or <NA>."""
        tasks = list(dict.fromkeys(row["task"] for row in rows))
        hosts = [line.split()[0] for line in self.inventory.read_text().splitlines() if "ansible_host=" in line]
        rows.sort(key=lambda r: (tasks.index(r["task"]), hosts.index(r["host"]) if r["host"] in hosts else 0))
        return host_table(rows, COLUMNS, {"rc": "Int64"})
