"""Fabric over several hosts: a ThreadingGroup runs one command everywhere; the results become a table."""
from fabric import ThreadingGroup
from fabric.exceptions import GroupException

from helpers.remote.tables import host_table

COLUMNS = ["host", "port", "exit", "stdout", "stderr", "error"]


def group(hosts):
    """A ThreadingGroup of each host's Connection (one thread per host)."""
    return ThreadingGroup.from_connections([host.connection() for host in hosts])


def one_line(error):
    """An exception as one short line (paramiko's can be long or multi-line)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:200]


def run_everywhere(hosts, command):
    """Run command on every host at once with warn=True; one table row per host, errors as rows too."""
    conns = group(hosts)
    try:
        results = conns.run(command, warn=True, hide=True)
    except GroupException as failed:  # some hosts raised (refused, timed out): their row says why
        results = failed.result
    finally:
        conns.close()
    by_port = {conn.port: result for conn, result in results.items()}
    rows = []
    for host in hosts:
        result = by_port.get(host.port)
        if isinstance(result, Exception):
            rows.append({"host": host.name, "port": host.port, "error": one_line(result)})
        else:
            rows.append({"host": host.name, "port": host.port, "exit": result.exited, "stdout": result.stdout,
                         "stderr": result.stderr, "error": ""})
    return host_table(rows, COLUMNS, {"exit": "Int64"}).fillna({"stdout": "", "stderr": ""})
