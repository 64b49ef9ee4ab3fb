"""Start JupyterLab on the course as `make lab` does: `python tools/lab [more jupyter lab options]`.

It serves the whole course folder, so that a notebook's links to `../README.md` and `../helpers/...` open, and
opens at notebooks/00_start_here.ipynb (the file browser starts in notebooks/).

`python tools/lab --install-settings` writes overrides.json (no news pop-up, no update check) into
this environment's JupyterLab settings; `make setup` and Binder's postBuild run it.
"""
import json
import os
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
START = "/lab/tree/notebooks/00_start_here.ipynb"


def shell_command():
    """The terminal's shell: the learner's own, with the course's environment activated after its rc files."""
    shell = os.environ.get("SHELL") or "sh"
    name = Path(shell).name
    if name == "bash":
        return [shell, "--rcfile", str(HERE / "bashrc"), "-i"]
    if name == "zsh":
        own = os.environ.get("ZDOTDIR") or str(Path.home())
        return ["env", f"ZDOTDIR={HERE / 'zsh'}", f"COURSE_ZDOTDIR={own}", shell, "-i"]
    return [shell]  # any other shell: PATH below still puts the course's python first


def command(extra=()):
    """This Python's JupyterLab on the repository, on 127.0.0.1 only, opening at 00, no news, no update check."""
    args = [sys.executable, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={ROOT}", f"--LabApp.default_url={START}",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--ServerApp.terminado_settings={json.dumps({'shell_command': shell_command()})}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    return args + list(extra)


def environment():
    """os.environ with this environment first on PATH, so a terminal's `python` is the course's."""
    bin_dir = os.path.dirname(sys.executable)  # .venv/bin, not where its python symlink points
    path = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    return dict(os.environ, VIRTUAL_ENV=sys.prefix, PATH=path)


def install_settings():
    """Merge overrides.json into this environment's JupyterLab settings folder (not the user's home)."""
    from jupyterlab.commands import get_app_dir

    target = Path(get_app_dir()) / "settings" / "overrides.json"
    settings = json.loads(target.read_text()) if target.exists() else {}
    settings.update(json.loads((HERE / "overrides.json").read_text()))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(settings, indent=2) + "\n")
    print(f"JupyterLab settings: {target}")


def main(argv):
    """Install the settings, or replace this process with JupyterLab."""
    if argv == ["--install-settings"]:
        return install_settings()
    args = command(argv)
    # Ctrl-C must stop a server in a terminal of the lab, even when whatever started the lab ignores or blocks
    # SIGINT (nohup, some IDEs and CI runners): both would pass on to the terminals and everything run in them
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    os.chdir(ROOT)  # a terminal opened without a folder starts here, wherever the lab was started from
    os.execve(args[0], args, environment())


if __name__ == "__main__":
    main(sys.argv[1:])
