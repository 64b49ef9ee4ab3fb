"""What a container is made of, read from this machine: namespaces, cgroups, the process tree, unshare."""
import os
import shutil

import psutil

from helpers.core.errors import ServiceError
from helpers.core.process import run_to_end

INSIDE = "echo \"inside: I am uid $(id -u), and I see these processes:\"; ps -o pid,user,comm"
UNSHARE = ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc", "sh", "-c", INSIDE]


def namespaces(pid="self"):
    """{kind: id} of a process's namespaces, e.g. {'net': 'net:[4026531840]'}; ids you may not read are '?'."""
    found = {}
    try:
        kinds = sorted(os.listdir(f"/proc/{pid}/ns"))
    except OSError:  # another user's process: not even the list is yours to read
        return found
    for kind in kinds:
        try:
            found[kind] = os.readlink(f"/proc/{pid}/ns/{kind}")
        except OSError:
            found[kind] = "?"
    return found


def namespace_table():
    """This kernel's namespaces beside those of PID 1 (the machine's, or the container's, first process)."""
    mine, first = namespaces(), namespaces(1)
    rows = [f"{'kind':<18} {'this kernel':<22} PID 1"]
    for kind, ident in mine.items():
        other = first.get(kind, "?")
        same = "same" if other == ident else ("not yours to read" if other == "?" else other)
        rows.append(f"{kind:<18} {ident:<22} {same}")
    return "\n".join(rows)


def cgroups(pid="self"):
    """The lines of /proc/PID/cgroup: hierarchy:controllers:path (cgroup v2 has the one line 0::/path)."""
    with open(f"/proc/{pid}/cgroup") as lines:
        return [line.strip() for line in lines if line.strip()]


V2 = {"memory": "memory.max", "cpu": "cpu.max", "processes": "pids.max"}
V1 = {"memory": ("memory", "memory.limit_in_bytes"), "cpu": ("cpu", "cpu.cfs_quota_us"),
      "processes": ("pids", "pids.max")}


def limits():
    """The memory, CPU and process-count limits of this kernel's cgroup (v2 files, else v1), where readable."""
    paths = {}
    for line in cgroups():
        _, controllers, path = line.split(":", 2)
        for controller in (controllers or "v2").split(","):
            paths[controller] = path.rstrip("/")
    found = {}
    for what, name in V2.items():
        v1_controller, v1_name = V1[what]
        for file in (f"/sys/fs/cgroup{paths.get('v2', '')}/{name}",
                     f"/sys/fs/cgroup/{v1_controller}{paths.get(v1_controller, '')}/{v1_name}"):
            if os.path.isfile(file):
                with open(file) as f:
                    found[what] = f.read().strip()
                break
        found.setdefault(what, "not readable here")
    return found


def process_tree(pid=None):
    """This process's ancestors down to it, then its children: the tree a PID namespace would cut."""
    me = psutil.Process(pid or os.getpid())
    line = [*reversed(me.parents()), me]
    rows = [f"{'  ' * depth}{p.pid:>7} {p.name()}" for depth, p in enumerate(line)]
    rows += [f"{'  ' * len(line)}{c.pid:>7} {c.name()}" for c in me.children()]
    return "\n".join(rows)


def unshare_demo(timeout=10.0):
    """Run `ps` in new user + PID + mount namespaces, as an unprivileged user can; its output, or one line why not."""
    if shutil.which("unshare") is None:
        return "unshare is not installed here (util-linux), so no namespace demo."
    try:
        return run_to_end(UNSHARE, "unshare", timeout).decode()
    except ServiceError as error:
        return f"user namespaces are not allowed here ({error}), so no namespace demo."
