"""Notebook 03 where capture is not possible: forced off, and run by an unprivileged user."""
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import textwrap
import warnings
from pathlib import Path

import pytest

from helpers.packets.capture_check import FORCE_OFF, capture_allowed

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "notebooks/03_packets_scapy.ipynb"
LEARNER = "dis-learner"


def learner():
    """An unprivileged user to run as: dis-learner (created if missing), else nobody."""
    try:
        return pwd.getpwnam(LEARNER)
    except KeyError:
        pass
    if shutil.which("useradd"):
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", LEARNER],
                       capture_output=True)
    try:
        return pwd.getpwnam(LEARNER)
    except KeyError:
        return pwd.getpwnam("nobody")


def private_env(home):
    """The environment for a run whose every writable place is inside home."""
    env = {k: v for k, v in os.environ.items() if k != FORCE_OFF}
    env.update(HOME=str(home), TMPDIR=str(home), IPYTHONDIR=str(home / "ipython"), MPLCONFIGDIR=str(home / "mpl"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_CONFIG_DIR=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
               PYTHONDONTWRITEBYTECODE="1", DIS_NBVAL_OUTPUTS=str(home / "outputs.jsonl"),
               PYTHONPATH=str(ROOT / "tests" / "support"))
    return env


def run(argv, home, prefix=(), extra_env=None):
    """Run argv in the repo with a private HOME, behind prefix (how to drop privileges, if any)."""
    env = private_env(home) | (extra_env or {})
    return subprocess.run([*prefix, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=500)


def nbval(home, prefix=(), extra_env=None):
    """Run the notebook under nbval in a subprocess; return (process, every output text as one string)."""
    argv = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-sanitize-with", "tests/sanitize.cfg",
            "-p", "no:cacheprovider", "-p", "nbval_outputs", "-q", "--tb=line", "-rfE", NOTEBOOK]
    done = run(argv, home, prefix, extra_env)
    log = home / "outputs.jsonl"
    return done, log.read_text() if log.exists() else ""


@pytest.fixture
def home():
    folder = Path(tempfile.mkdtemp(prefix="dis-learner-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_notebook_passes_with_capture_forced_off(home):
    done, outputs = nbval(home, extra_env={FORCE_OFF: "off"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "RECORDED trace data/tcp_exchange.pcap" in outputs and "the recorded trace data/http_exchange.pcap" in outputs
    assert "LIVE capture" not in outputs
    assert f"live capture is switched off ({FORCE_OFF}=off)" in outputs


PROBE = [sys.executable, "-c", "import helpers, ipykernel, matplotlib, nbval, scapy, subprocess, sys; "
         f"open({NOTEBOOK!r}).read(); subprocess.run([sys.executable, '-c', ''], check=True)"]  # as a kernel starts
NO_CAPABILITIES = ["setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def unprivileged(home):
    """(argv prefix, who): how to run without capture rights.

    Not root: as we are. Root: as the learner account, if it can use the repo and its .venv;
    where it cannot (say the venv's own Python lives under /root), as root with every
    capability dropped, which is what capture rights come down to, with a warning.
    """
    if os.geteuid() != 0:
        return (), f"the current user (uid {os.geteuid()})"
    user = learner()
    os.chown(home, user.pw_uid, user.pw_gid)
    as_user = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--no-new-privs", "--"]
    probe = run(PROBE, home, as_user)
    if probe.returncode == 0:
        return as_user, f"user {user.pw_name}"
    problem = (probe.stderr.strip().splitlines() or ["no message"])[-1]
    if os.environ.get("CI") == "true":  # .ci/run opens the way to the interpreter, so CI runs the real thing
        pytest.fail(f"user {user.pw_name} cannot use the repo or its .venv under CI: {problem}")
    os.chown(home, 0, 0)  # without capabilities root may only write where it owns
    warnings.warn(f"user {user.pw_name} cannot use the repo or its .venv ({problem}; is the venv's Python "
                  f"under /root?): running as root without capabilities instead")
    return NO_CAPABILITIES, "root without capabilities"


def may_capture_as_we_are():
    """A non-root user with CAP_NET_RAW really may capture; nothing falls back then."""
    return os.geteuid() != 0 and capture_allowed()


def test_notebook_passes_as_an_unprivileged_user_with_recorded_traces(home):
    prefix, who = unprivileged(home)
    done, outputs = nbval(home, prefix)
    assert done.returncode == 0, f"as {who}:\n" + done.stdout[-3000:] + done.stderr[-2000:]
    if may_capture_as_we_are():
        assert "LIVE capture on" in outputs
        return
    assert "RECORDED trace data/udp_exchange.pcap" in outputs and "RECORDED trace data/tcp_exchange.pcap" in outputs
    assert "live capture is not allowed here" in outputs and "LIVE capture" not in outputs, who


CAPTURE_AS_LEARNER = textwrap.dedent("""
    from helpers import serve, stop_all
    from helpers.packets.capture import capture_allowed, capture_tcp
    shown = capture_tcp(serve("echo").address, b"from an ordinary user")
    print(capture_allowed(), shown.live, shown.label, shown.reply)
    stop_all()
""")


def test_capture_helper_falls_back_for_an_unprivileged_user(home):
    prefix, who = unprivileged(home)
    if may_capture_as_we_are():
        pytest.skip("this user may capture (CAP_NET_RAW): nothing to fall back from")
    done = run([sys.executable, "-c", CAPTURE_AS_LEARNER], home, prefix)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0] == ("live capture is not allowed here (it needs root or CAP_NET_RAW): "
                        "showing the recorded trace data/tcp_exchange.pcap of the same exchange")
    assert lines[1] == "False False RECORDED trace data/tcp_exchange.pcap b'from an ordinary user'"


def test_recording_traces_refuses_politely_without_rights(home):
    prefix, who = unprivileged(home)
    if may_capture_as_we_are():
        pytest.skip("this user may capture")
    before = {p.name: p.read_bytes() for p in (ROOT / "data").glob("*.pcap")}
    done = run([sys.executable, "-m", "helpers.packets.record_traces"], home, prefix)
    assert done.returncode == 1 and done.stdout.strip().startswith("recording needs live capture")
    assert {p.name: p.read_bytes() for p in (ROOT / "data").glob("*.pcap")} == before
