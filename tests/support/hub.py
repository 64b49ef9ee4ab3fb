"""The class hub for the tests: deploy/hub/start.py as `make hub` runs it, with real accounts (root only)."""
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from helpers.core.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PROXY = ROOT / ".venv" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "a-first-use-password"  # each account sets it at its first login (FirstUseAuthenticator)


def require_hub():
    """Skip where a real hub cannot run (not root, no proxy), except under CI, where it must."""
    problem = ("the hub test creates real accounts: it runs as root" if os.geteuid() != 0 else
               None if PROXY.exists() or shutil.which("configurable-http-proxy") else
               "no configurable-http-proxy: `make hub-proxy` installs it (needs npm)")
    if problem and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true, but {problem}")
    if problem:
        pytest.skip(problem)


def remove_account(name):
    """Delete a test account, its home and every process it still runs."""
    subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True, timeout=30)
    subprocess.run(["userdel", "--remove", name], capture_output=True, timeout=30)


class Hub:
    """A running class hub: its address, its accounts, and a way to run a command as one of them."""

    def __init__(self, learners, instructors, cull_seconds=3600):
        self.learners, self.instructors = learners, instructors
        self.state = Path(tempfile.mkdtemp(prefix="dis-hub-"))
        self.state.chmod(0o755)
        self.start(cull_seconds)

    def start(self, cull_seconds):
        """Run start.py (ports picked now; a port taken meanwhile shows as a hub that never answers)."""
        self.port, api, proxy_api = free_port(), free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(self.state / f"hub-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "hub" / "start.py"), "--port", str(self.port), "--api-port", str(api),
             "--proxy-api-port", str(proxy_api), "--state", str(self.state), "--repo", str(ROOT),
             "--learners", ",".join(self.learners), "--instructors", ",".join(self.instructors),
             "--cull-seconds", str(cull_seconds)],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited: {self.text()[-3000:]}")
            try:
                urllib.request.urlopen(f"{self.base}/hub/api", timeout=2).close()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer within 90 s: {self.text()[-3000:]}")

    def text(self):
        """The hub's log so far."""
        self.log.flush()
        return (self.state / f"hub-{self.port}.log").read_text(errors="replace")

    def link(self, notebook):
        """The course link, opening notebook (a path under notebooks/) once the course is pulled."""
        sys.path.insert(0, str(ROOT / "deploy" / "hub"))
        from start import course_link

        return course_link(self.base, str(ROOT)).replace("00_start_here.ipynb", notebook)

    def env_of(self, name):
        """The environment the hub gives name's server (for a command the account runs in a terminal)."""
        account = pwd.getpwnam(name)
        role = "instructor" if name in self.instructors else "learner"
        return {"HOME": account.pw_dir, "USER": name, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
                "JUPYTER_CONFIG_PATH": str(ROOT / "deploy" / "hub" / "jupyter" / role),
                "DIS_NBGRADER_ROOT": str(self.state / "nbgrader"), "LANG": "C.UTF-8"}

    def run_as(self, name, argv, cwd=None, timeout=300):
        """Run argv as the account name (its groups too); fail with its output if it fails."""
        as_user = ["setpriv", f"--reuid={name}", f"--regid={name}", "--init-groups", "--"]
        done = subprocess.run([*as_user, *argv], cwd=cwd or pwd.getpwnam(name).pw_dir, env=self.env_of(name),
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"{' '.join(argv)} as {name} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        return done

    def processes_of(self, names):
        """Processes still running as one of these accounts."""
        uids = {pwd.getpwnam(n).pw_uid for n in names}
        found = []
        for proc in psutil.process_iter(["uids", "cmdline", "status"]):
            if proc.info["uids"] and proc.info["uids"].real in uids and proc.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(proc)
        return found

    def stop(self):
        """Stop the hub as an instructor would (it stops every learner's server), and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def close(self):
        """Stop the hub, delete its accounts and state."""
        self.stop()
        for name in self.learners + self.instructors:
            remove_account(name)
        shutil.rmtree(self.state, ignore_errors=True)
