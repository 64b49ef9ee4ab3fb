"""Two-account attacks on notebook 13's SSH host: key-only login, and keys no one else may read.

Whoever logs in runs commands as the owner, in the owner's folder: the classmate tries a key of their own, a
password, and the owner's key files (to read them, or to put their own public key in place of the authorized one).
"""
import socket
from pathlib import Path

import paramiko
from kit import Attack, Breach, refusal

TIMEOUT = 10
PLANTED = "pwned-by-classmate"


def private_lines(path):
    """The lines of a private key file that hold key material (not its fixed header and footer)."""
    return Path(path).read_text().splitlines()[2:-1]


def ssh_owner(server):
    """The owner runs a command over Fabric with the session key, exactly as notebook 13 does."""
    with server.connection(timeout=TIMEOUT) as conn:
        said = conn.run("echo kept > note.txt; cat note.txt", hide=True, timeout=TIMEOUT).stdout
    assert said == "kept\n", said
    host_key = server.private / "host_key"
    facts = {"host": server.address[0], "port": server.port, "user": server.user, "folder": str(server.folder),
             "host_key": str(host_key), "client_key": str(server.key_path),
             "authorized": f"{server.key_path}.pub", "known_hosts": str(server.known_hosts)}
    return facts, private_lines(server.key_path) + private_lines(host_key)


def transport(facts):
    """An SSH transport to the owner's host, past the key exchange, ready to try logging in."""
    sock = socket.create_connection((facts["host"], facts["port"]), timeout=TIMEOUT)
    ssh = paramiko.Transport(sock)
    ssh.banner_timeout = ssh.auth_timeout = TIMEOUT
    ssh.start_client(timeout=TIMEOUT)
    return ssh


def logged_in(ssh, facts, how):
    """What a classmate does once in: run a command as the owner."""
    channel = ssh.open_session(timeout=TIMEOUT)
    channel.exec_command(f"touch /tmp/{PLANTED}-{facts['port']}")
    raise Breach(f"logged in as {facts['user']} {how}")


def with_own_key(facts):
    key = paramiko.ECDSAKey.generate()  # a key pair the classmate made
    ssh = transport(facts)
    try:
        ssh.auth_publickey(facts["user"], key)
        logged_in(ssh, facts, "with the classmate's own key")
    except paramiko.AuthenticationException as error:
        return refusal(error)
    finally:
        ssh.close()


def with_password(password):
    def attempt(facts):
        ssh = transport(facts)
        try:
            ssh.auth_password(facts["user"], password)
            logged_in(ssh, facts, f"with the password {password!r}")
        except paramiko.AuthenticationException as error:
            return refusal(error)
        finally:
            ssh.close()
    return attempt


def reads(fact):
    def attempt(facts):
        try:
            text = Path(facts[fact]).read_text()
        except OSError as error:
            return refusal(error)
        raise Breach(f"read {facts[fact]}: {text[:40]!r}")
    return attempt


def writes(fact, name=""):
    def attempt(facts):
        path = Path(facts[fact]) / name if name else Path(facts[fact])
        try:
            with open(path, "a") as out:
                out.write("ssh-ed25519 AAAA classmate\n")
        except OSError as error:
            return refusal(error)
        raise Breach(f"wrote to {path}")
    return attempt


DENIED = r"^PermissionError: \[Errno 13\] Permission denied"
ATTACKS = {
    "ssh": Attack(owner=ssh_owner, tries=[
        ("log in with a key the classmate made", with_own_key, r"^AuthenticationException: Authentication failed"),
        ("log in with a password", with_password("learner"),
         r"^BadAuthenticationType: Bad authentication type; allowed types: \['publickey'\]"),
        ("log in with no password at all", with_password(""), r"allowed types: \['publickey'\]"),
        ("read the owner's client private key", reads("client_key"), DENIED),
        ("read the host's private key", reads("host_key"), DENIED),
        ("read the known_hosts file", reads("known_hosts"), DENIED),
        ("add the classmate's key to the authorized key file", writes("authorized"), DENIED),
        ("plant a file in the host's folder", writes("folder", PLANTED), DENIED),
    ]),
}
