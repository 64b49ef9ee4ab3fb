"""Start the class hub (`make hub`): as root, a hub for a class of real accounts; otherwise a one-account demo.

It prepares the hub's private state folder, nbgrader's exchange and the shared course folder, puts the
course's exercises in the course folder, prints the hub's address and the course link, then runs
JupyterHub with deploy/hub/jupyterhub_config.py until Ctrl-C.
"""
import argparse
import getpass
import grp
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AS_ROOT = os.geteuid() == 0
PUBLIC_REPO = "https://github.com/data-in-space/data-in-space"
EXERCISES = sorted(p.stem for p in (ROOT / "notebooks" / "solutions").glob("17_*.ipynb"))
INSTRUCTORS_GROUP = "dis-instructors"
PROXY = ROOT / ".venv" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"


def arguments(argv=None):
    """The command line, with defaults for root (a class) and for anyone else (a demo of one account)."""
    state = Path("/srv/data-in-space") if AS_ROOT else Path.home() / ".local" / "share" / "data-in-space"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (a public one needs TLS in front)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--api-port", type=int, default=8081, help="the hub's own API, on 127.0.0.1")
    parser.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's API, on 127.0.0.1")
    parser.add_argument("--instructors", default="instructor" if AS_ROOT else getpass.getuser(),
                        help="comma-separated accounts that grade (hub admins)")
    parser.add_argument("--learners", default="", help="comma-separated learner accounts (more later in /hub/admin)")
    parser.add_argument("--state", type=Path, default=state, help="hub database, passwords, exchange, course")
    parser.add_argument("--repo", default=str(ROOT) if (ROOT / ".git").exists() else PUBLIC_REPO,
                        help="the git repository the course link pulls (default: this checkout; learners get "
                             "your updates when you pull them)")
    parser.add_argument("--cull-seconds", type=int, default=3600, help="stop a server idle this long")
    parser.add_argument("--open-path", action="store_true",
                        help="as root: let learners traverse the folders above the course's environment (o+x)")
    args = parser.parse_args(argv)
    if not AS_ROOT and args.learners:
        parser.error("only root can run a hub for several accounts: without root, the hub is a demo for you")
    return args


def private_folder(path, mode=0o700):
    """A folder with exactly this mode."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    return path


def ensure_account(name, group=None):
    """As root: a login account with a private home (0700), in group if given."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True, timeout=30)
        os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
    if group:
        subprocess.run(["usermod", "-aG", group, name], check=True, timeout=30)


def link_course(name, course):
    """~name/course -> the shared course folder: the formgrader wants the course inside the instructor's own folder."""
    account = pwd.getpwnam(name)
    link = Path(account.pw_dir) / "course"
    if not link.is_symlink():
        link.symlink_to(course)
        os.lchown(link, account.pw_uid, account.pw_gid)


def closed_folders(path):
    """The folders above path that other accounts cannot pass through."""
    return [p for p in [path, *path.parents] if p.is_dir() and not p.stat().st_mode & 0o001]


def prepare_class(args, instructors, learners):
    """As root: accounts, the instructors' group, and an environment every learner can run."""
    try:
        grp.getgrnam(INSTRUCTORS_GROUP)
    except KeyError:
        subprocess.run(["groupadd", INSTRUCTORS_GROUP], check=True, timeout=30)
    for name in instructors:
        ensure_account(name, INSTRUCTORS_GROUP)
    for name in learners:
        ensure_account(name)
    python = Path(os.path.realpath(sys.executable))
    closed = closed_folders(python.parent) + closed_folders(ROOT)
    if closed and not args.open_path:
        sys.exit(f"Learners cannot reach the course's environment: {', '.join(map(str, sorted(set(closed))))} "
                 "is closed to other accounts. Clone the course under /opt or /srv, or run again with --open-path "
                 "(o+x: others may pass through those folders, not list them).")
    for folder in closed:
        folder.chmod(folder.stat().st_mode | 0o001)


def prepare_nbgrader(root, owner_group):
    """The exchange (anyone drops, nobody takes another's) and the course folder (instructors only), with the
    exercises as nbgrader sources: course/source/ex17_N/17_N_name.ipynb."""
    private_folder(root, 0o755)
    private_folder(root / "exchange", 0o1777)
    course = private_folder(root / "course", 0o2770 if owner_group else 0o700)
    if owner_group:
        os.chown(course, 0, grp.getgrnam(owner_group).gr_gid)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "data-in-space"\n')
    for name in EXERCISES:
        folder = course / "source" / ("ex" + "_".join(name.split("_")[:2]))
        if not (folder / f"{name}.ipynb").exists():
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "notebooks" / "solutions" / f"{name}.ipynb", folder)
    if owner_group:
        gid = grp.getgrnam(owner_group).gr_gid
        for path in course.rglob("*"):
            os.chown(path, 0, gid)
            path.chmod(0o2770 if path.is_dir() else 0o660)
    return course


def course_link(base, repo):
    """The one link a learner clicks: clones the course at the first click, merges updates after."""
    query = urlencode({"repo": repo, "branch": "main", "targetpath": "data-in-space",
                       "urlpath": "lab/tree/data-in-space/notebooks/00_start_here.ipynb"})
    return f"{base}/hub/user-redirect/git-pull?{query}"


def environment(args, instructors, learners):
    """What jupyterhub_config.py reads."""
    env = dict(os.environ, DIS_HUB_STATE=str(args.state / "hub"), DIS_HUB_IP=args.ip, DIS_HUB_PORT=str(args.port),
               DIS_HUB_API_PORT=str(args.api_port), DIS_PROXY_API_PORT=str(args.proxy_api_port),
               DIS_HUB_INSTRUCTORS=",".join(instructors), DIS_HUB_LEARNERS=",".join(learners),
               DIS_NBGRADER_ROOT=str(args.state / "nbgrader"), DIS_HUB_CULL_SECONDS=str(args.cull_seconds),
               DIS_HUB_PROXY=str(PROXY) if PROXY.exists() else "configurable-http-proxy")
    if Path(args.repo).is_dir():  # git refuses a repository another account owns, unless told it is safe
        repo = Path(args.repo).resolve()
        gitconfig = args.state / "gitconfig"
        gitconfig.write_text(f"[safe]\n\tdirectory = {repo}\n\tdirectory = {repo / '.git'}\n")
        gitconfig.chmod(0o644)
        env["DIS_COURSE_GITCONFIG"] = str(gitconfig)
    return env


def main(argv=None):
    """Prepare, say how to use it, run the hub."""
    args = arguments(argv)
    instructors = [n for n in args.instructors.split(",") if n]
    learners = [n for n in args.learners.split(",") if n]
    private_folder(args.state, 0o755 if AS_ROOT else 0o700)
    private_folder(args.state / "hub")
    if AS_ROOT:
        prepare_class(args, instructors, learners)
    course = prepare_nbgrader(args.state / "nbgrader", INSTRUCTORS_GROUP if AS_ROOT else None)
    for name in instructors:
        link_course(name, course)
    base = f"http://{args.ip}:{args.port}"
    print(f"The class hub: {base}/hub/login   (Ctrl-C stops it, and every learner's server with it)")
    print(f"The course link for learners: {course_link(base, args.repo)}")
    print(f"Instructors: {', '.join(instructors)} (the formgrader is in their Nbgrader menu).")
    if AS_ROOT:
        print("Add learners in the hub's admin page (/hub/admin, 'Add Users'), or start again with --learners a,b;"
              " each chooses a password at the first login.")
    else:
        print("This is a demo for your account only: as root, `make hub` runs a hub for a class.")
    sys.stdout.flush()
    hub = [sys.executable, "-m", "jupyterhub", "-f", str(HERE / "jupyterhub_config.py")]
    os.chdir(args.state / "hub")
    os.execve(sys.executable, hub, environment(args, instructors, learners))


if __name__ == "__main__":
    main()
