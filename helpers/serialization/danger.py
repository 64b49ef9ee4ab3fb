"""Why you never unpickle what you do not trust: a crafted pickle, loaded only in a throwaway child, and safer ways."""
import atexit
import hashlib
import hmac
import io
import os
import pickle
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers.core.errors import ServiceError
from helpers.core.folders import private_folder
from helpers.core.process import end_process, spawn

MARKER = "pwned.txt"
COMMAND = f'echo "unpickling ran this shell command as $(whoami)" > {MARKER}'
PREFIX = "dis-unpickle-"
CHILD = "import pickle, sys; print('pickle.loads returned', repr(pickle.loads(sys.stdin.buffer.read())))"


class RunsCommand:
    """An object whose pickle says "call os.system(command)": loading it runs the command."""

    def __init__(self, command=COMMAND):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def crafted_pickle(command=COMMAND):
    """The bytes of a pickle that runs command when loaded (making them runs nothing)."""
    return pickle.dumps(RunsCommand(command))


@dataclass
class ChildRun:
    """What happened when a child process loaded a pickle in its own scratch folder."""

    folder: Path
    returncode: int
    output: str

    def files(self):
        """{name: text} of the files in the scratch folder now."""
        if not self.folder.exists():
            return {}
        return {p.name: p.read_text(errors="replace") for p in sorted(self.folder.iterdir()) if p.is_file()}

    def cleanup(self):
        """Delete the scratch folder and what the child left in it."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def unpickle_in_child(data, timeout=10.0):
    """Load data with pickle.loads in a new Python process whose working folder is a new, empty scratch folder.

    The child has its own stdout and stderr (read here) and is killed after timeout seconds; this process never
    unpickles data. The scratch folder stays until ChildRun.cleanup() (or exit), so you can look at it.
    """
    folder = private_folder(PREFIX)
    atexit.register(shutil.rmtree, folder, True)
    proc = spawn([sys.executable, "-I", "-c", CHILD], cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                 stderr=subprocess.STDOUT, start_new_session=True)  # a group of its own: a timeout ends its children too
    try:
        out, _ = proc.communicate(bytes(data), timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        end_process(proc)
        raise ServiceError(f"the unpickling child did not finish within {timeout:g} s, so it was killed") from None
    return ChildRun(folder, proc.returncode, out.decode(errors="replace").strip())


# what a restricted unpickler lets through: data types of the standard library, no functions, no classes of yours
SAFE = {
    "builtins": {"bytearray", "complex", "frozenset", "range", "set", "slice"},
    "collections": {"OrderedDict", "deque"},
    "datetime": {"date", "datetime", "time", "timedelta", "timezone"},
    "decimal": {"Decimal"},
}


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that looks up only the names in SAFE: anything else is refused before it can be called."""

    def find_class(self, module, name):
        if name in SAFE.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused to load {module}.{name}: it is not on the allow-list")


def restricted_loads(data):
    """pickle.loads, through RestrictedUnpickler."""
    return RestrictedUnpickler(io.BytesIO(data)).load()


def sign(data, key):
    """data with an HMAC-SHA256 of it in front (32 bytes): only holders of key can make a valid one."""
    return hmac.new(key, data, hashlib.sha256).digest() + data


def verified(signed, key):
    """The data inside a sign()ed message, after checking its HMAC; ValueError, before anything is loaded, if not."""
    mac, data = signed[:32], signed[32:]
    if not hmac.compare_digest(mac, hmac.new(key, data, hashlib.sha256).digest()):
        raise ValueError("the signature does not match: refusing to unpickle")
    return data
