"""Real-browser plumbing for the tests: a headless JupyterLab and the system Chromium."""
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
from ended import all_gone, ended
from jupyter_client import BlockingKernelClient
from try_it import try_it_code

from helpers.core.ports import HOST, free_port, is_listening
from learner import unprivileged

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
# every cell rendered (so all prompts and widgets are in the page), and no news pop-up
SETTINGS = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"}}
CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the active tab
STDERR = CURRENT + " .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
PROMPTS = f"[...document.querySelectorAll('{CURRENT} .jp-CodeCell .jp-InputPrompt')]"
# a walk waits as long as cells keep finishing; it gives up when none has for this long (nbval allows a cell 120 s)
STALL_S = 180
# the page's view of a run: cells, cells with a number, and whether anything runs (a cell at [*] or a busy kernel:
# JupyterLab leaves [ ] on a cell that runs after a raises-exception cell failed)
PROGRESS = ("(() => { const p = " + PROMPTS + "; return {total: p.length,"
            " busy: p.some(e => e.textContent.includes('[*]')) || [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
            ".some(e => e.textContent.includes('Busy')), done: p.filter(e => /\\[\\d+\\]/.test(e.textContent)).length}; })()")
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
    """A headless JupyterLab serving a copy of the course as `make lab` serves it (so autosave never touches the repo)."""

    def __init__(self, workdir):
        self.root, self.runtime = workdir / "course", workdir / "runtime"
        shutil.copytree(ROOT / "notebooks", self.root / "notebooks")
        for part in ("docs", "helpers"):  # what the notebooks link to
            shutil.copytree(ROOT / part, self.root / part, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "README.md", self.root)
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
        # a killed kernel stays dead (kill_kernel checks what it leaves behind), no restarted one takes its place
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={HOST}",
             f"--ServerApp.port={self.port}", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--LabApp.news_url=", "--KernelManager.autorestart=False", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
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
    page.goto(lab.url(f"lab/workspaces/{uuid.uuid4().hex[:8]}/tree/notebooks/{notebook}", query="reset&"))
    run_all(page, notebook)
    return page


def run_all(page, notebook):
    """Run All Cells in the notebook open in page, and wait until every cell has run (fail with what stopped it)."""
    start_run_all(page)
    finish_run_all(page, notebook)


def start_run_all(page):
    """Click Run > Run All Cells once the kernel is connected, until a cell starts running."""
    page.locator(CURRENT + " .jp-Cell").first.wait_for()  # the notebook in the active tab, not one restored beside it
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


def finish_run_all(page, notebook):
    """Wait until every cell of a started Run All has run; fail with the prompts and the last error if it stops."""
    try:
        wait_all_run(page)
    except Exception:
        screenshot(page, f"failed-{notebook.replace('/', '_')}")
        prompts = page.locator(CURRENT + " .jp-CodeCell .jp-InputPrompt").all_inner_texts()
        errors = page.locator(STDERR)
        last = errors.all_inner_texts()[-1:]  # the error that stopped the run, if it was one
        raise AssertionError(f"Run All did not finish: prompts {prompts}; last error output: "
                             f"{last[0][-600:] if last else 'none'}") from None


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


def wait_all_run(page, stall_s=STALL_S):
    """Wait until every code cell shows an execution number, for as long as cells keep finishing; fail at once when
    the run has stopped short (Run All stops at an error) and after stall_s without a cell finishing."""
    finished, since, stopped = -1, time.monotonic(), 0
    while True:
        state = page.evaluate(PROGRESS)
        if state["total"] and state["done"] == state["total"]:
            return
        if state["done"] != finished:
            finished, since = state["done"], time.monotonic()
        stopped = 0 if state["busy"] else stopped + 1
        if stopped >= 20:  # nothing running or queued for 5 s, and cells without a number: the run ended early
            raise AssertionError(f"the run stopped after {finished} of {state['total']} cells")
        if time.monotonic() - since > stall_s:
            raise AssertionError(f"no cell finished in {stall_s} s ({finished} of {state['total']} done)")
        page.wait_for_timeout(250)


def restart_and_run_all(page, notebook):
    """Kernel > Restart Kernel and Run All Cells, then wait until every cell has run again."""
    for attempt in range(3):  # a restart that never starts running (seen once in CI) is asked for again
        page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
        page.locator(".lm-Menu-item[data-command='runmenu:restart-and-run-all']").click()
        page.locator(".jp-Dialog-button.jp-mod-accept").click()
        try:
            page.locator(CURRENT + " .jp-CodeCell .jp-InputPrompt", has_text="[*]").first.wait_for(timeout=40_000)
            break
        except Exception:
            screenshot(page, f"restart-{attempt}-{notebook.replace('/', '_')}")
    else:
        raise AssertionError("Restart & Run All never started running, three times asked")
    wait_all_run(page)


def session_of(lab, notebook):
    """The Jupyter server's session of notebook (its kernel id under ["kernel"]["id"])."""
    with urllib.request.urlopen(lab.url("api/sessions"), timeout=10) as reply:
        return next(s for s in json.load(reply) if s["path"] == f"notebooks/{notebook}")


@contextmanager
def kernel_client(lab, notebook, outputs=True):
    """A client of the kernel the notebook's page runs (the same kernel, reached through its connection file).

    outputs=False leaves out the output channel: a live widget can keep it so busy that waiting for a quiet
    moment on it (as a ready check does) never ends; the replies to what the client runs still come."""
    kernel = session_of(lab, notebook)["kernel"]["id"]
    client = BlockingKernelClient(connection_file=str(lab.runtime / f"kernel-{kernel}.json"))
    client.load_connection_file()
    client.start_channels(iopub=outputs, stdin=False)
    try:
        if outputs:
            client.wait_for_ready(timeout=60)
        yield client
    finally:
        client.stop_channels()


def run_in_kernel(client, code):
    """Run code in the kernel; return what it printed, or fail with the error it raised."""
    printed = []

    def keep(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    reply = client.execute_interactive(code, timeout=STALL_S, output_hook=keep)["content"]
    assert reply["status"] == "ok", f"{code}\n{reply.get('ename')}: {reply.get('evalue')}"
    return "".join(printed)


def run_quietly(client, code):
    """Run code in the kernel and wait for its reply only (not its outputs); fail with the error it raised."""
    sent, deadline = client.execute(code, allow_stdin=False), time.monotonic() + STALL_S
    while True:
        reply = client.get_shell_msg(timeout=max(1, deadline - time.monotonic()))
        if reply["parent_header"].get("msg_id") == sent:
            break
    content = reply["content"]
    assert content["status"] == "ok", f"{code}\n{content.get('ename')}: {content.get('evalue')}"


def run_try_its(lab, notebook):
    """Run the notebook's Try-it blocks, one by one, in the kernel its page has just run; fail on the first error."""
    blocks = try_it_code(ROOT / "notebooks" / notebook)
    if blocks:
        with kernel_client(lab, notebook, outputs=False) as client:
            for code in blocks:
                try:
                    run_quietly(client, code)
                except AssertionError as error:
                    raise AssertionError(f"{notebook}: a Try it block failed after Restart & Run All:\n{error}") from None


def described(process):
    """A process as pid and its command line (just its pid if it ended meanwhile)."""
    try:
        return f"process {process.pid} {' '.join(process.cmdline())[:300]}"
    except psutil.Error:
        return f"process {process.pid}"


def listening(processes):
    """{(ip, port)} of every TCP socket the processes listen on."""
    found = set()
    for process in processes:
        try:
            found |= {c.laddr[:2] for c in process.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
        except psutil.Error:
            pass  # it ended while we looked
    return found


def end_session(lab, session, attempts=10):
    """Delete a session of the Jupyter server, and with it its kernel (asked again while the server is busy with it)."""
    for attempt in range(attempts):
        try:
            request = urllib.request.Request(lab.url(f"api/sessions/{session}"), method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()
            return
        except urllib.error.HTTPError as error:
            if error.code == 404:  # already gone
                return
            problem = f"HTTP {error.code}: {error.read()[:300]!r}"
        time.sleep(0.5 * (attempt + 1))
    raise AssertionError(f"the server would not end session {session}: {problem}")


def loopback(ip):
    """True for an address only this machine reaches (127.0.0.0/8, ::1, or 127.x mapped into IPv6)."""
    address = ipaddress.ip_address(ip)
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback


def kill_kernel(lab, notebook, alive=(), wait=20):
    """Kill the notebook's kernel as a crash would (SIGKILL: no atexit, no stop()) and check that every process it
    started has ended and every port they listened on (127.0.0.1 only) is closed; then end its session.
    alive: parts of command lines that must be among the kernel's processes before the kill."""
    session = session_of(lab, notebook)
    kernel = next(p for p in psutil.Process(lab.process.pid).children(recursive=True)
                  if any(session["kernel"]["id"] in part for part in p.cmdline()))
    family = [kernel, *kernel.children(recursive=True)]
    sockets, names = listening(family), " ".join(described(p) for p in family)
    beyond = {(ip, port) for ip, port in sockets if not loopback(ip)}
    assert not beyond, f"{notebook}: a server listens beyond this machine: {beyond}"
    assert all(part in names for part in alive), f"{notebook}: not all of {alive} among its processes: {names}"
    kernel.send_signal(signal.SIGKILL)
    ports = {port for _, port in sockets}
    all_gone(family, ports, wait)
    left = [described(p) for p in family if not ended(p)]
    left += [f"port {port}" for port in sorted(ports) if is_listening((HOST, port))]
    end_session(lab, session["id"])
    assert not left, f"{notebook}: {wait} s after its kernel was killed, still there: {left}"


@contextmanager
def walked(browser, lab, notebook, timeout=120_000, alive=()):
    """A notebook's whole browser walk: Run All, then the test's own clicks on the page (yielded), then Restart & Run
    All once, its Try-it prompts in that same kernel, and the kernel killed with nothing it started left behind
    (alive: parts of command lines that must be among its processes then, see kill_kernel)."""
    page = open_and_run_all(browser, lab, notebook, timeout)
    late = late_errors(page)
    assert late == [], late[0][:600]
    yield page
    restart_and_run_all(page, notebook)  # the second run catches what a re-run breaks
    late = late_errors(page)
    assert late == [], late[0][:600]
    run_try_its(lab, notebook)
    page.close()
    kill_kernel(lab, notebook, alive)


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
