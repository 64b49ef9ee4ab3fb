"""Two real local accounts on one machine, as on a class server: one owns a service, the other attacks it."""
import json
import os
import pwd
import select
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OWNER, CLASSMATE = "dis-owner", "dis-classmate"
ENV_KEEP = ("DATA_IN_SPACE_TEST_RUN", "CI", "LANG", "LC_ALL")


def account(name):
    """The local account called name, created (with a home) if missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True, capture_output=True)
        return pwd.getpwnam(name)


def as_user(user, argv, **popen_args):
    """Start argv in the repository as user: its own uid, gid, groups, home and PATH, nothing of root's."""
    env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
    env.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name, TMPDIR="/tmp",
               PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", PYTHONDONTWRITEBYTECODE="1")
    prefix = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", "--no-new-privs",
              "--"]
    return subprocess.Popen([*prefix, *argv], cwd=ROOT, env=env, text=True, **popen_args)


def read_json_line(proc, timeout):
    """The next JSON line proc prints, waiting at most timeout s; its stderr in the error if none comes."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    if not line:
        proc.kill()
        raise AssertionError(f"no answer within {timeout} s; stderr: {proc.stderr.read()[-2000:]}")
    return json.loads(line)


def clear_temp(user):
    """Remove what user left in the temporary folder (an earlier run's folders would blur this run's check)."""
    for path in Path(tempfile.gettempdir()).iterdir():
        try:
            if path.lstat().st_uid == user.pw_uid:
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        except OSError:
            pass


def duel(name, timeout=90):
    """Run service name as the owner and every attack on it as the classmate: (owner's facts and secrets,
    what the classmate met, the owner's check afterwards)."""
    owner, classmate = account(OWNER), account(CLASSMATE)
    clear_temp(owner)
    python = sys.executable
    proc = as_user(owner, [python, str(HERE / "owner.py"), name], stdin=subprocess.PIPE,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        started = read_json_line(proc, timeout)
        attacker = as_user(classmate, [python, str(HERE / "attacker.py"), name], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = attacker.communicate(json.dumps(started["facts"]) + "\n", timeout=timeout)
        assert out.strip(), f"the classmate's side printed nothing: {err[-2000:]}"
        met = json.loads(out.strip().splitlines()[-1])
        proc.stdin.write("done\n")
        proc.stdin.flush()
        after = read_json_line(proc, timeout)
        proc.stdin.close()
        proc.wait(timeout=30)
        return started, met, after
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def can_run_as_accounts():
    """'' if both accounts can run the course's Python from the repository, else why not."""
    if os.geteuid() != 0:
        return "creating two local accounts needs root (CI runs as root)"
    if not shutil.which("useradd") or not shutil.which("setpriv"):
        return "useradd and setpriv are needed"
    probe = as_user(account(CLASSMATE), [sys.executable, "-c", "import helpers, zmq, redis"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, err = probe.communicate(timeout=60)
    return "" if probe.returncode == 0 else f"the accounts cannot use the repository's .venv: {err.strip()[-300:]}"
