"""There is one administrator: two hosts of notebook 13 whose configuration files were set by different people."""
import configparser

CONFIG = "client.ini"


def write_config(host, timeout_s):
    """What one host's administrator did: a client.ini with their own timeout, in the host's folder."""
    (host.folder / CONFIG).write_text(f"[client]\ntimeout_s = {timeout_s}\n")


def read_config(host):
    """Read client.ini over SSH (a Fabric connection to the host), as a deployed client would find it."""
    with host.connection() as conn:
        text = conn.run(f"cat {CONFIG}", hide=True, timeout=10).stdout
    parser = configparser.ConfigParser()
    parser.read_string(text)
    return parser["client"].getfloat("timeout_s")


def push_config(hosts, timeout_s):
    """One configuration for every host, uploaded over SSH (what 13's tools do for a whole fleet)."""
    for host in hosts:
        with host.connection() as conn:
            conn.run(f"printf '[client]\\ntimeout_s = {timeout_s}\\n' > {CONFIG}", hide=True, timeout=10)
