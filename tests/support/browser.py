"""Real-browser plumbing for the tests: a headless JupyterLab and the system Chromium."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from helpers.core.ports import HOST, free_port
from learner import unprivileged

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
# every cell rendered (so all prompts and widgets are in the page), and no news pop-up
SETTINGS = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the active tab
STDERR = CURRENT + " .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
PROMPTS = f"[...document.querySelectorAll('{CURRENT} .jp-CodeCell .jp-InputPrompt')]"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path():
    """The system Chromium (never a downloaded one), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    mac = "/Applications/Chromium.app/Contents/MacOS/Chromium"
    return mac if os.path.exists(mac) else None


def require_chromium():
    """Skip where no Chromium exists, except under CI, where the browser test must run."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no system Chromium: .ci/run should have installed it")
        pytest.skip("no system Chromium here (install the 'chromium' package to run the browser test)")
    return path


class Lab:
    """A headless JupyterLab serving a copy of notebooks/ (so autosave never touches the repo)."""

    def __init__(self, workdir):
        self.root = workdir / "notebooks"
        shutil.copytree(ROOT / "notebooks", self.root)
        self.port, self.token = free_port(), uuid.uuid4().hex
        settings = workdir / "settings"
        for plugin, values in SETTINGS.items():
            (settings / plugin).parent.mkdir(parents=True, exist_ok=True)
            (settings / f"{plugin}.jupyterlab-settings").write_text(json.dumps(values))
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(workdir / "runtime"), JUPYTER_CONFIG_DIR=str(workdir / "config"),
                   JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"), IPYTHONDIR=str(workdir / "ipython"),
                   JUPYTERLAB_SETTINGS_DIR=str(settings), HOME=str(workdir), TMPDIR=str(workdir),
                   MPLCONFIGDIR=str(workdir / "mpl"), JUPYTER_DATA_DIR=str(workdir / "data"),
                   XDG_CACHE_HOME=str(workdir / "cache"), PYTHONDONTWRITEBYTECODE="1")
        # as a learner's machine runs it: as root, the lab and its kernels run as an unprivileged user
        prefix, self.who = unprivileged(workdir)
        self.uid = os.stat(workdir).st_uid
        for path in workdir.rglob("*"):
            os.chown(path, self.uid, os.stat(workdir).st_gid)
        self.log = open(workdir / "lab.log", "w")
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={HOST}",
             f"--ServerApp.port={self.port}", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
            + (["--allow-root"] if self.uid == 0 else []),
            cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: see {self.log.name}")
            try:
                urllib.request.urlopen(f"{self.url('api/status')}", timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("JupyterLab did not start within 60 s")

    def url(self, path, query=""):
        return f"http://{HOST}:{self.port}/{path}?{query}token={self.token}"

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def lab():
    """A running headless JupyterLab on the course notebooks."""
    require_chromium()
    workdir = Path(tempfile.mkdtemp(prefix="dis-lab-"))  # not under pytest's private temp folder: the learner reads it
    try:
        server = Lab(workdir)
        yield server
        server.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    """The system Chromium, driven by Playwright."""
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def open_and_run_all(browser, lab, notebook, timeout=120_000):
    """Open a notebook in JupyterLab, Run All Cells, and return the page once the kernel is idle."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(timeout)
    # a workspace of its own, reset, so tabs of earlier tests are not restored beside it
    page.goto(lab.url(f"lab/workspaces/{uuid.uuid4().hex[:8]}/tree/{notebook}", query="reset&"))
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
    page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first.wait_for()  # the kernel is connected
    for attempt in range(3):  # a click that lands while the session is still settling can be lost
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
        try:
            page.wait_for_function(PROMPTS +
                                   ".some(e => /\\[(\\*|\\d+)\\]/.test(e.textContent))", timeout=10_000)
            break
        except Exception:
            continue
    try:
        wait_all_run(page)
    except Exception:
        screenshot(page, f"failed-{notebook.replace('/', '_')}")
        prompts = page.locator(CURRENT + " .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        errors = page.locator(STDERR)
        last = errors.all_inner_texts()[-1:]  # the error that stopped the run, if it was one
        raise AssertionError(f"Run All did not finish: prompts {prompts}; last error output: "
                             f"{last[0][-600:] if last else 'none'}") from None
    return page


def block_outside(page):
    """Abort every request of page to a host other than this machine; return the list the aborted URLs go into."""
    outside = []

    def only_local(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in ("127.0.0.1", "localhost"):
            outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", only_local)
    return outside


def wait_all_run(page):
    """Wait until every code cell shows an execution number (Run All stops at an error, so this fails then)."""
    page.wait_for_function("(() => { const p = " + PROMPTS + ";"
                           " return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); })()")


def late_errors(page, settle_ms=2_000):
    """Tracebacks and ERROR logs in the page's stderr outputs, settle_ms after a run: output that arrives after its
    cell has ended (a background thread's log) shows only in a live page, never in nbval's run."""
    page.wait_for_timeout(settle_ms)
    stderr = page.locator(STDERR)
    # a log's traceback has "Traceback (most recent call last):" with a colon; a cell's own error output has none
    return [text for text in stderr.all_inner_texts()
            if "Traceback (most recent call last):" in text or " - ERROR - " in text]


def screenshot(page, name):
    """Save a full-page screenshot under build/screenshots/ and return its path."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def replace_cell(page, starts_with, code):
    """Replace the source of the code cell whose text starts with starts_with, then run it."""
    cell = page.locator(CURRENT + " .jp-CodeCell", has=page.locator(".cm-content", has_text=starts_with)).first
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")


def run_check(page, call, timeout=30_000):
    """Run the grading cell that holds call (say "check_poem(") and return its output once the report is whole."""
    cell = page.locator(CURRENT + " .jp-CodeCell", has=page.locator(".cm-content", has_text=call)).first
    prompt = cell.locator(".jp-InputPrompt")
    old = prompt.inner_text()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    page.wait_for_function("([el, old]) => el.textContent !== old && /\\[\\d+\\]/.test(el.textContent)",
                           arg=[prompt.element_handle(), old], timeout=timeout)  # this run has finished
    output = cell.locator(".jp-OutputArea")
    output.get_by_text("Result:").wait_for(timeout=5_000)
    return output
