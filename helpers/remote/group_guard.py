"""Run a command and end every process it starts with it: `python -m helpers.remote.group_guard -- CMD...`.

Ansible's workers call setsid(), so killing a process group misses them. This guard makes itself their
"subreaper" (orphans of the command become its children, not init's) and, when it gets SIGTERM (from its parent on
a timeout, or from Linux when the parent dies) or sees its parent gone, kills every descendant it has, then exits.
"""
import ctypes
import os
import signal
import subprocess
import sys
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def descendants(pid):
    """Every process below pid, read from /proc (parents before their children)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def end_all(*_):
    """Kill every descendant, then leave."""
    for pid in descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os._exit(1)


def main(argv):
    parent, command = os.getppid(), argv[argv.index("--") + 1:]
    if sys.platform == "linux":  # elsewhere no subreaper: the command's own process group is ended instead
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGTERM, end_all)
    child = subprocess.Popen(command)
    while True:
        try:
            code = child.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            if os.getppid() != parent:
                end_all()
    if descendants(os.getpid()):  # the command ended but left workers behind
        end_all()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
