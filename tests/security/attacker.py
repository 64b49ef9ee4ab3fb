"""The classmate's side of a two-account test: every attempt on one service, and a look around the machine.

python tests/security/attacker.py NAME < facts.json prints one JSON object: each attempt's outcome, the
command lines of the owner's processes, and which of the owner's temporary files this account could open.
"""
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit import Breach, refusal  # noqa: E402
from registry import attacks  # noqa: E402


def owners_command_lines(uid):
    """The command line of every process the owner runs (any account may read them: `ps` shows them)."""
    lines = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and proc.stat().st_uid == uid:
                lines.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass
    return lines


def owners_open_files(uid):
    """The owner's folders and files in the temporary folder that this account can list or read."""
    opened = []
    for top in Path(tempfile.gettempdir()).iterdir():
        try:
            if top.lstat().st_uid != uid:
                continue
            paths = [top, *top.rglob("*")] if top.is_dir() else [top]  # rglob skips what it may not list
        except OSError:
            continue
        for path in paths:
            try:
                if path.is_socket():
                    if os.access(path, os.W_OK):
                        opened.append(f"may connect to socket {path}")
                elif path.is_dir() and not path.is_symlink():
                    os.listdir(path)
                    opened.append(f"listed {path}")
                elif path.is_file() and not path.is_symlink():
                    with open(path, "rb") as f:
                        f.read(1)
                    opened.append(f"read {path}")
            except OSError:
                pass  # refused: what we want
    return opened


def main(name):
    facts = json.loads(sys.stdin.readline())
    outcomes = []
    for what, attempt, _ in attacks()[name].tries:
        try:
            outcomes.append([what, "refused", attempt(facts)])
        except Breach as breach:
            outcomes.append([what, "BREACH", str(breach)])
        except Exception as error:  # a refusal the attempt did not expect: the test shows it
            outcomes.append([what, "error", refusal(error)])
    print(json.dumps({"tries": outcomes, "command_lines": owners_command_lines(facts["uid"]),
                      "opened": owners_open_files(facts["uid"])}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
    sys.stdout.flush()
    os._exit(0)
