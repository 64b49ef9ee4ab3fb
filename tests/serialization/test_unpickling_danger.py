"""The crafted pickle runs its command only in the throwaway child, never in this process; the safe ways refuse it."""
import os
import pickle
import pickletools
import tempfile
import time
from io import StringIO
from pathlib import Path

import psutil
import pytest

from helpers import ServiceError
from helpers.serialization import (COMMAND, MARKER, OBSERVATION, RestrictedUnpickler, crafted_pickle,
                                   restricted_loads, sign, unpickle_in_child, verified)
from helpers.serialization.danger import PREFIX

PAYLOAD = crafted_pickle()  # made before any test replaces os.system (pickle looks the function up by name)
SLEEPER = crafted_pickle("sleep 31.5")
LOOK = crafted_pickle("for fd in /proc/$PPID/fd/*; do readlink $fd; done > fds.txt")  # what the loading Python holds


@pytest.fixture
def guarded(tmp_path, monkeypatch):
    """Run from an empty folder, with os.system replaced by a recorder: a call here would be caught, not run."""
    calls = []
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "system", lambda command: calls.append(command) or 0)
    return calls


def markers_outside(folder):
    """Every MARKER file under this test's cwd, and in the temp folder or its folders, other than inside folder."""
    temp = Path(tempfile.gettempdir())
    found = [*Path.cwd().rglob(MARKER), *temp.glob(MARKER), *temp.glob(f"*/{MARKER}")]
    return [p for p in found if folder not in p.parents]


def test_the_crafted_pickle_runs_only_in_the_child(guarded):
    with unpickle_in_child(PAYLOAD) as run:
        assert run.returncode == 0 and run.output == "pickle.loads returned 0"
        assert run.folder.name.startswith(PREFIX) and run.folder != Path.cwd()
        assert list(run.files()) == [MARKER]
        assert run.files()[MARKER].startswith("unpickling ran this shell command as ")
        assert markers_outside(run.folder) == []
    assert not run.folder.exists() and run.files() == {}
    assert guarded == []  # nothing in this process called os.system
    assert not (Path.cwd() / MARKER).exists()


def test_the_crafted_pickle_really_is_one(guarded):
    text = StringIO()
    pickletools.dis(PAYLOAD, out=text)  # reading the opcodes runs nothing
    assert "'posix'" in text.getvalue() and "'system'" in text.getvalue() and "REDUCE" in text.getvalue()
    assert COMMAND in text.getvalue() and guarded == []


def test_the_restricted_unpickler_refuses_before_anything_runs(guarded):
    with pytest.raises(pickle.UnpicklingError, match="refused to load posix.system"):
        restricted_loads(PAYLOAD)
    assert guarded == [] and list(Path.cwd().iterdir()) == []
    assert restricted_loads(pickle.dumps(OBSERVATION)) == OBSERVATION
    with pytest.raises(pickle.UnpicklingError, match="refused to load builtins.eval"):
        restricted_loads(b"\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x041+1\x85R.")  # eval('1+1') by hand
    assert RestrictedUnpickler.find_class is not pickle.Unpickler.find_class


class Plain:
    """A harmless class of this test module: pickled by its name, as notebook 11's Tiny is."""


def test_the_restricted_unpickler_refuses_classes_off_the_list(guarded):
    with pytest.raises(pickle.UnpicklingError, match=f"refused to load {__name__}.Plain"):
        restricted_loads(pickle.dumps(Plain()))


def test_a_signed_pickle_is_loaded_and_a_tampered_one_refused(guarded):
    key = os.urandom(32)
    signed = sign(pickle.dumps(OBSERVATION), key)
    assert pickle.loads(verified(signed, key)) == OBSERVATION
    for bad in (signed[:-1] + b"?", sign(PAYLOAD, b"someone else"), signed[:10]):
        with pytest.raises(ValueError, match="signature does not match"):
            verified(bad, key)
    assert guarded == []


def test_a_child_that_hangs_is_killed_with_its_shell(guarded):
    started = time.monotonic()
    with pytest.raises(ServiceError, match="did not finish within 0.5 s"):
        unpickle_in_child(SLEEPER, timeout=0.5)
    assert time.monotonic() - started < 5
    time.sleep(0.1)
    assert [p.pid for p in psutil.process_iter(["cmdline", "status"])
            if p.info["cmdline"] == ["sleep", "31.5"] and p.info["status"] != psutil.STATUS_ZOMBIE] == []


def test_no_pickle_ever_arrives_over_a_port(guarded):
    """The bytes reach the unpickling child through its stdin pipe: it holds no socket, and nothing here listens."""
    listening = {c.laddr for c in psutil.Process().net_connections("inet") if c.status == psutil.CONN_LISTEN}
    with unpickle_in_child(LOOK) as run:
        held = run.files()["fds.txt"].split()
        assert held and not [fd for fd in held if fd.startswith("socket:")], held
        assert any(fd.startswith("pipe:") for fd in held)
        assert {c.laddr for c in psutil.Process().net_connections("inet")
                if c.status == psutil.CONN_LISTEN} == listening
