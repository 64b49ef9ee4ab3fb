"""JupyterHub for a class on one Linux server: `make hub` (deploy/hub/start.py) runs it with this file.

Every setting a class changes comes from an environment variable that start.py sets (see its --help).
Each learner is a real account; the hub runs every learner's JupyterLab as that account, from the
course's environment, so the course's per-start secrets keep one learner out of another's servers.
"""
import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from start import link_course  # noqa: E402 (start.py prepares the same for the instructors it is given)

BIN = Path(sys.executable).parent  # the course's environment: the hub and every learner's server run from it
STATE = Path(os.environ["DIS_HUB_STATE"])  # the hub's database, cookie secret and passwords (0700)
INSTRUCTORS = {n for n in os.environ.get("DIS_HUB_INSTRUCTORS", "").split(",") if n}
LEARNERS = {n for n in os.environ.get("DIS_HUB_LEARNERS", "").split(",") if n}
AS_ROOT = os.geteuid() == 0
SERVER_MB = 250  # a learner's own Jupyter server after a session of Run Alls (docs/instructors.md)
HEADROOM = 1.5  # room above the heaviest peak measured: a learner re-runs cells, opens a second notebook
CULL_SERVER_S = int(os.environ.get("DIS_HUB_CULL_SECONDS", "3600"))  # a server idle this long is stopped
CULL_EVERY_S = min(300, max(10, CULL_SERVER_S // 2))
CULL_KERNEL_S = 1200  # each server shuts a kernel down after 20 idle minutes (its servers end with it)

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)


def memory_limit_mb():
    """The heaviest notebook's measured peak plus the learner's server, with headroom, in whole 256 MB."""
    budget = json.loads((ROOT / "benchmarks" / "budget.json").read_text())
    need = (max(b["peak_mb"] for b in budget.values()) + SERVER_MB) * HEADROOM
    return int(-(-need // 256) * 256)


# Where the hub listens: 127.0.0.1 unless the class gives a public address (put TLS in front of it then)
c.JupyterHub.bind_url = f"http://{os.environ.get('DIS_HUB_IP', '127.0.0.1')}:{os.environ.get('DIS_HUB_PORT', '8000')}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ.get('DIS_HUB_API_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('DIS_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = [os.environ.get("DIS_HUB_PROXY", "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server (and so their kernels)

# Accounts: learners choose a password at their first login; only listed names may log in
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.dbm_path = str(STATE / "passwords.dbm")
c.FirstUseAuthenticator.create_users = False  # a name the instructor has not added cannot claim an account
c.FirstUseAuthenticator.min_password_length = 10
c.Authenticator.admin_users = INSTRUCTORS
c.Authenticator.allowed_users = LEARNERS | INSTRUCTORS
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{1,30}$"  # also a valid Unix account name

# Every learner's JupyterLab: the course's environment, as the learner's own account, with a memory and CPU limit
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = f"{memory_limit_mb()}M"
c.Spawner.cpu_limit = 1.0
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
c.Spawner.args = [f"--MappingKernelManager.cull_idle_timeout={CULL_KERNEL_S}",
                  "--MappingKernelManager.cull_interval=120", "--LabApp.news_url=",
                  "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
c.Spawner.environment = {
    "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",  # terminals find the course's python, as in `make lab`
    # learners get the assignment list, instructors the formgrader too (deploy/hub/jupyter/<role>)
    "JUPYTER_CONFIG_PATH": lambda spawner: str(HERE / "jupyter" / role(spawner.user.name)),
    "DIS_NBGRADER_ROOT": os.environ["DIS_NBGRADER_ROOT"],
}
if os.environ.get("DIS_COURSE_GITCONFIG"):  # learners may pull from a course repository on this server
    c.Spawner.environment["GIT_CONFIG_SYSTEM"] = os.environ["DIS_COURSE_GITCONFIG"]
if AS_ROOT and Path("/run/systemd/system").is_dir():  # systemd enforces the limits; elsewhere they are advisory
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.unit_name_template = "jupyter-{USERNAME}"
    c.SystemdSpawner.isolate_tmp = True
else:
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"


def role(name):
    """'instructor' or 'learner'."""
    return "instructor" if name in INSTRUCTORS else "learner"


def ensure_account(spawner):
    """As root, create the learner's account (home 0700) at the first start; never run a server as a system user."""
    name = spawner.user.name
    if AS_ROOT:
        try:
            pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True, timeout=30)
            os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
        if role(name) == "instructor":
            subprocess.run(["usermod", "-aG", "dis-instructors", name], check=True, timeout=30)
    account = pwd.getpwnam(name)
    if account.pw_uid < 1000 or (not AS_ROOT and account.pw_uid != os.geteuid()):
        raise PermissionError(f"{name} is a system account or not yours: the hub starts no server for it")
    if role(name) == "instructor":
        link_course(name, Path(os.environ["DIS_NBGRADER_ROOT"]) / "course")


c.Spawner.pre_spawn_hook = ensure_account

# The idle culler: stops a learner's server after CULL_SERVER_S without activity
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={CULL_SERVER_S}",
                f"--cull-every={CULL_EVERY_S}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler", "services": ["idle-culler"],
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
}]
if shutil.which("git") is None:
    print("git is not installed: the course link (nbgitpuller) needs it", file=sys.stderr)
