"""`make lab` as a learner meets it: no news pop-up or update check, the course opens at 00, the files the notebooks
link to are served, and a terminal opened in it runs the course's python and stops a server on Ctrl-C (a real
JupyterLab, started by tools/lab as `make lab` does)."""
import asyncio
import json
import os
import re
import runpy
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psutil
import pytest
from tornado.websocket import websocket_connect

from helpers.core.ports import HOST, free_port

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "tools" / "lab"
NOTIFICATIONS = "@jupyterlab/apputils-extension:notification"


def recipe(target):
    """The commands `make TARGET` runs (printed, not run), for a .venv that would need setting up."""
    env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(["make", "-n", "-B", "--no-print-directory", target], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True).stdout


def lab_command():
    """The command line tools/lab builds, as `make lab` runs it."""
    return runpy.run_path(str(LAB / "__main__.py"))["command"]()


def test_make_lab_and_make_setup_use_tools_lab():
    lines = recipe("lab").splitlines()
    assert lines[-1].split()[1:] == ["tools/lab"], "make lab starts JupyterLab through tools/lab"
    assert any(line.endswith("tools/lab --install-settings") for line in lines), "make setup installs the settings"


def test_the_settings_turn_news_and_update_checks_off():
    overrides = json.loads((LAB / "overrides.json").read_text())
    assert overrides[NOTIFICATIONS] == {"fetchNews": "false", "checkForUpdates": False}
    args = lab_command()
    assert "--LabApp.news_url=None" in args, "the server fetches no news feed"
    assert "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate" in args
    assert "--ServerApp.ip=127.0.0.1" in args and "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb" in args
    assert f"--ServerApp.root_dir={ROOT}" in args and (ROOT / "notebooks" / "00_start_here.ipynb").exists()


class RunningLab:
    """JupyterLab started by tools/lab, headless, with its own HOME, runtime, config and settings folders."""

    def __init__(self, workdir, shell, path, rc_files):
        self.port, self.token = free_port(), uuid.uuid4().hex
        folders = {name: workdir / name.lower() for name in
                   ("HOME", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
                    "JUPYTERLAB_WORKSPACES_DIR", "JUPYTERLAB_SETTINGS_DIR", "IPYTHONDIR")}
        for folder in folders.values():
            folder.mkdir()
        for name, text in rc_files.items():
            (folders["HOME"] / name).write_text(text)
        env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "ZDOTDIR", "ENV")}
        env.update({name: str(folder) for name, folder in folders.items()}, SHELL=shell, PATH=path)
        self.log = open(workdir / "lab.log", "w")
        # as nohup, an IDE or a CI runner may start it: no tty, and Ctrl-C ignored (which every child inherits)
        ignored = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self.process = subprocess.Popen(
                [sys.executable, str(LAB), "--no-browser", f"--ServerApp.port={self.port}",
                 f"--IdentityProvider.token={self.token}"], cwd=workdir, env=env, stdout=self.log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        finally:
            signal.signal(signal.SIGINT, ignored)
        self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"JupyterLab exited: {Path(self.log.name).read_text()[-2000:]}"
            try:
                return self.get("api/status")
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"JupyterLab did not answer within {timeout} s")

    def request(self, path, method="GET"):
        url = f"http://{HOST}:{self.port}/{path}{'&' if '?' in path else '?'}token={self.token}"
        return urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10)

    def get(self, path):
        with self.request(path) as reply:
            return json.loads(reply.read())

    def stop(self):
        """Stop the server as Ctrl-C would; it ends its terminals. Fail if any of its processes outlive it."""
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.Error:
            children = []
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        _, alive = psutil.wait_procs(children, timeout=10)
        for proc in alive:
            proc.kill()
        self.log.close()
        assert not alive, f"JupyterLab left these running: {[p.pid for p in alive]}"


async def type_in_terminal(lab, name, command, done, timeout=60):
    """Type `command` in terminal `name` once its prompt is up; return the screen's text when done(text)."""
    return await terminal_steps(lab, name, [(command + "\r", done)], timeout)


async def terminal_steps(lab, name, steps, timeout=60):
    """Type each (keys, done) step's keys in terminal `name`, the first once its prompt is up, each next one once
    done(screen text) holds for the step before; return the screen's text when the last step is done."""
    ws = await websocket_connect(f"ws://{HOST}:{lab.port}/terminals/websocket/{name}?token={lab.token}")
    loop, screen, step = asyncio.get_running_loop(), "", -1
    deadline = loop.time() + timeout
    try:
        while not (step == len(steps) - 1 and steps[step][1](screen)):
            if step >= 0 and steps[step][1](screen):  # this step is done: type the next one
                step += 1
                ws.write_message(json.dumps(["stdin", steps[step][0]]))
                continue
            try:
                message = await asyncio.wait_for(ws.read_message(), deadline - loop.time())
            except asyncio.TimeoutError:
                pytest.fail(f"{steps[step][0]!r} did not finish within {timeout} s; the terminal showed:\n{screen}")
            assert message is not None, f"the terminal closed; it showed:\n{screen}"
            kind, *data = json.loads(message)
            if kind == "stdout":
                screen += data[0].replace("\r", "")
                if step < 0:  # the shell is up: type the first keys
                    step = 0
                    ws.write_message(json.dumps(["stdin", steps[0][0]]))
    finally:
        ws.close()
    return screen


@pytest.fixture(scope="module", params=["bash", "zsh", "sh"])
def lab(request, tmp_path_factory):
    """JupyterLab as `make lab` starts it from a terminal whose PATH and shell startup files put another
    python first (as conda's or pyenv's setup does); the course's .venv is not on that PATH."""
    shell = shutil.which(request.param)
    if shell is None:  # zsh is macOS's default shell: CI must check it
        message = f"no {request.param} here: its terminal route is not checked (apt-get install {request.param})"
        pytest.fail(message) if os.environ.get("CI") == "true" else pytest.skip(message)
    workdir = tmp_path_factory.mktemp(f"lab-{request.param}")
    decoy = workdir / "decoy"
    decoy.mkdir()
    (decoy / "python").write_text("#!/bin/sh\necho DECOY-PYTHON\n")
    (decoy / "python").chmod(0o755)
    ours = os.path.dirname(sys.executable)
    path = os.pathsep.join([str(decoy)] + [p for p in os.environ["PATH"].split(os.pathsep) if p != ours])
    rc = f'export PATH="{decoy}:$PATH"\nLEARNER_RC=ran\n'
    server = RunningLab(workdir, shell, path, {".bashrc": rc, ".zshrc": rc, ".zshenv": "LEARNER_ENV=ran\n"})
    server.shell = request.param
    yield server
    server.stop()


def test_a_terminal_of_make_lab_runs_the_course_python(lab):
    with lab.request("api/terminals", method="POST") as reply:
        terminal = json.loads(reply.read())["name"]
    command = ("python -c 'import sys; print(\"PREFIX=\" + sys.prefix)'; python -m helpers serve --list; "
               "echo RC-$LEARNER_RC-$LEARNER_ENV END-$?")
    screen = asyncio.run(type_in_terminal(lab, terminal, command, lambda s: re.search(r"END-\d+", s)))
    assert "DECOY-PYTHON" not in screen, screen
    assert re.search(r"PREFIX=(/\S+)", screen).group(1) == sys.prefix, screen
    assert re.search(r"(?m)^echo +\S", screen) and "END-0" in screen, f"no catalogue:\n{screen}"
    learner_setup = {"bash": "RC-ran-", "zsh": "RC-ran-ran", "sh": "RC--"}[lab.shell]
    assert f"{learner_setup} END" in screen, "the learner's own shell setup runs too (aliases, prompt)"
    lab.request(f"api/terminals/{terminal}", method="DELETE").close()
    assert lab.get("api/terminals") == []


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def test_the_running_lab_has_no_news_no_update_check_and_opens_at_00(lab):
    schema = lab.get(f"lab/api/settings/{NOTIFICATIONS}")["schema"]["properties"]
    assert schema["fetchNews"]["default"] == "false", "overrides.json is not in this environment: run make setup"
    assert schema["checkForUpdates"]["default"] is False
    assert lab.get("lab/api/news") == {"news": []}
    assert lab.get("lab/api/update")["notification"] is None
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(f"http://{HOST}:{lab.port}/?token={lab.token}", timeout=10)
    assert urllib.parse.urlsplit(redirect.value.headers["Location"]).path == "/lab/tree/notebooks/00_start_here.ipynb"
    assert lab.get("api/contents/notebooks/00_start_here.ipynb?content=0")["type"] == "notebook"


def test_the_running_lab_serves_what_the_notebooks_link_to_outside_their_folder(lab):
    for target in ("README.md", "helpers/pubsub/zmq_pubsub.py", "docs/security.md"):  # from 05, 06, 16 (`../...`)
        assert lab.get(f"api/contents/{target}?content=0")["type"] == "file", target


def new_terminal(lab, cwd=None):
    """A new terminal's name; cwd as the launcher sends it (the file browser's folder), or none as the menu does."""
    body = json.dumps({} if cwd is None else {"cwd": cwd}).encode()
    request = urllib.request.Request(f"http://{HOST}:{lab.port}/api/terminals?token={lab.token}", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as reply:
        return json.loads(reply.read())["name"]


def test_terminals_open_in_the_file_browsers_folder_or_the_course_folder(lab):
    for cwd, folder in ((None, ROOT), ("notebooks", ROOT / "notebooks")):
        terminal = new_terminal(lab, cwd)
        screen = asyncio.run(type_in_terminal(lab, terminal, "echo PWD=$(pwd -P)", lambda s: "PWD=/" in s))
        assert re.search(r"PWD=(/\S+)", screen).group(1) == str(folder.resolve()), screen
        lab.request(f"api/terminals/{terminal}", method="DELETE").close()


def test_ctrl_c_stops_a_server_in_a_terminal_of_a_lab_started_with_ctrl_c_ignored(lab):
    terminal = new_terminal(lab, "notebooks")
    steps = [("python -m helpers serve echo\r", lambda s: "listening on" in s),
             ("\x03", lambda s: "echo stopped" in s)]  # Ctrl-C, as the keyboard sends it
    screen = asyncio.run(terminal_steps(lab, terminal, steps))
    assert "Traceback" not in screen, screen
    lab.request(f"api/terminals/{terminal}", method="DELETE").close()
