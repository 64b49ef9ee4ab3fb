"""The remote-management server `python -m helpers serve ssh` starts (asyncssh imported only in its child)."""
from helpers.core.catalog import lazy

SERVERS = {
    "ssh": (lazy("helpers.remote.hosts", "SshHost"), "an SSH server (asyncssh): key login as you, in a temp folder"),
}
