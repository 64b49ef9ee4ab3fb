"""Run a notebook the way a learner's machine does: as an unprivileged user, without capture rights."""
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest

from helpers.packets.capture_check import FORCE_OFF

ROOT = Path(__file__).resolve().parents[2]
LEARNER = "dis-learner"
PROBE = [sys.executable, "-c", "import helpers, ipykernel, matplotlib, nbval, scapy, subprocess, sys; "
         "open('notebooks/00_start_here.ipynb').read(); subprocess.run([sys.executable, '-c', ''], check=True)"]
NO_CAPABILITIES = ["setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


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
    env = {k: v for k, v in os.environ.items() if k not in (FORCE_OFF, "PYTEST_ADDOPTS")}  # the suite's options stay its own
    env.update(HOME=str(home), TMPDIR=str(home), IPYTHONDIR=str(home / "ipython"), MPLCONFIGDIR=str(home / "mpl"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_CONFIG_DIR=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
               PYTHONDONTWRITEBYTECODE="1", DIS_LEARNER_RUN="1", DIS_NBVAL_OUTPUTS=str(home / "outputs.jsonl"),
               PYTHONPATH=str(ROOT / "tests" / "support"))
    return env


def run(argv, home, prefix=(), extra_env=None, footprint=None):
    """Run argv in the repo with a private HOME, behind prefix (how to drop privileges, if any); a footprint
    (footprint.Footprint, not started) samples the memory of everything the run starts while it runs."""
    env = private_env(home) | (extra_env or {}) | (footprint.mark() if footprint else {})
    with subprocess.Popen([*prefix, *argv], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        if footprint:
            footprint.root = process.pid
            footprint.start()
        try:
            stdout, stderr = process.communicate(timeout=500)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
        finally:
            if footprint:
                footprint.stop()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def nbval(notebook, home, prefix=(), extra_env=None, footprint=None):
    """Run one notebook under nbval in a subprocess; return (process, every output text as one string)."""
    argv = [sys.executable, "-m", "pytest", "-n", "0", "--nbval-lax", "--nbval-sanitize-with", "tests/sanitize.cfg",
            "-p", "no:cacheprovider", "-p", "nbval_outputs", "-q", "--tb=line", "-rfE", notebook]
    done = run(argv, home, prefix, extra_env, footprint)
    log = home / "outputs.jsonl"
    return done, log.read_text() if log.exists() else ""


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


def learner_notebooks():
    """Every notebook, as paths relative to the repository."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


@pytest.fixture
def home():
    """A private, empty home folder for one run."""
    folder = Path(tempfile.mkdtemp(prefix="dis-learner-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
