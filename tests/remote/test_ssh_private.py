"""Whoever logs in to a host runs commands as you: key files and folders are yours alone, no password gets in,
and no key material shows in a command line (any account reads those with `ps`)."""
import socket
import stat
from pathlib import Path

import paramiko
import psutil
import pytest

from helpers.remote import Ansible, SshHost, control_folder, inventory_text, keys, new_key


@pytest.fixture(scope="module")
def host():
    with SshHost("test-ssh-private") as running:
        yield running


def mode(path):
    return stat.S_IMODE(Path(path).stat().st_mode)


def test_keys_known_hosts_and_folders_are_private(host):
    session = keys.session_folder()
    for folder in (session, host.folder, host.private, host.private.parent, control_folder()):
        assert mode(folder) == 0o700, folder
    for path in (host.key_path, host.private / "host_key", host.known_hosts, new_key(control_folder() / "extra")):
        assert mode(path) == 0o600, path


def test_ansibles_home_config_and_copied_known_hosts_are_private(host):
    inventory = control_folder() / "test-private.ini"
    inventory.write_text(inventory_text([host]))
    ansible = Ansible(inventory)
    ansible.env()  # copies known_hosts where paramiko looks for it
    assert mode(ansible.folder) == mode(ansible.folder / "home") == mode(ansible.folder / "home/.ssh") == 0o700
    assert mode(ansible.folder / "ansible.cfg") == mode(ansible.folder / "home/.ssh/known_hosts") == 0o600


def test_no_key_material_is_in_the_servers_command_line(host):
    secret = "".join(host.key_path.read_text().splitlines()[1:-1]) + "".join(
        (host.private / "host_key").read_text().splitlines()[1:-1])
    line = " ".join(psutil.Process(host.process.pid).cmdline())
    assert str(host.private / "host_key") in line  # paths only
    assert not any(chunk in line for chunk in (secret[i:i + 24] for i in range(0, len(secret) - 24, 12)))


@pytest.mark.parametrize("password", ["", "learner", "password"])
def test_password_login_is_not_offered(host, password):
    with socket.create_connection(host.address, timeout=10) as sock:
        ssh = paramiko.Transport(sock)
        try:
            ssh.start_client(timeout=10)
            with pytest.raises(paramiko.BadAuthenticationType) as refused:
                ssh.auth_password(host.user, password)
            assert refused.value.allowed_types == ["publickey"]
        finally:
            ssh.close()
