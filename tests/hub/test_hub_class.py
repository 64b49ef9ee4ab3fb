"""A class on the real hub (deploy/hub): four learners and an instructor, real accounts, Chromium, nbgrader.

Each learner logs in through the hub's login page, follows the course link (nbgitpuller clones the
course into their home), runs notebook 07 with Run All (all at once), fetches exercise 17.1
from the assignment list and submits it: one solved, one unsolved, one that hangs, one that ends Python. The instructor
collects, autogrades, writes feedback and exports grades. Then the hub stops and nothing of a
learner's is left running; started again with a short idle time, its culler stops an idle server.
"""
import csv
import os
import pwd
import sys
import time
from pathlib import Path

import nbformat
import pytest
from browser import CHROMIUM_FLAGS, finish_run_all, require_chromium, run_all, screenshot, start_run_all
from hub import PASSWORD, ROOT, Hub, require_hub

LEARNERS = {"dis-learner-a": "solved", "dis-learner-b": "unsolved", "dis-learner-c": "hangs", "dis-learner-d": "dies"}
INSTRUCTOR = "dis-teacher"
EXERCISE, ASSIGNMENT = "17_1_time_server", "ex17_1"
HANG = "import time\ntime.sleep(3600)  # a learner's server loop that never returns\n"
DIE = "import os\nos._exit(1)  # a learner's code that ends Python itself\n"


@pytest.fixture(scope="module")
def hub():
    """The class hub with four learners and an instructor."""
    require_hub()
    hub = Hub(list(LEARNERS), [INSTRUCTOR])
    try:
        yield hub
    finally:
        hub.close()


@pytest.fixture(scope="module")
def chromium():
    """The system Chromium, driven by Playwright (each learner gets a browser context of their own)."""
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def log_in(context, hub, name):
    """Log name in through the hub's login page (the first time sets the password); return the page."""
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{hub.base}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(lambda url: "/hub/login" not in url, wait_until="commit")  # to the spawn page or their lab
    return page


def server_ready(hub, page, name):
    """Wait until name's own server answers through the proxy."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        reply = page.request.get(f"{hub.base}/user/{name}/api/status", fail_on_status_code=False)
        if reply.status == 200:
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"{name}'s server did not answer within 120 s")


def test_three_learners_log_in_pull_the_course_and_run_all_at_once(hub, chromium):
    pages, errors = {}, []
    for name in list(LEARNERS)[:3]:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        pages[name] = log_in(context, hub, name)
    for name, page in pages.items():
        page.goto(hub.link("07_work_queues.ipynb"))
        page.wait_for_url(f"**/user/{name}/lab/**07_work_queues.ipynb", timeout=180_000)
    for name, page in pages.items():
        assert (Path(pwd.getpwnam(name).pw_dir) / "data-in-space" / "notebooks" / "07_work_queues.ipynb").exists()

    for page in pages.values():  # all three press Run All, then all three runs are followed
        start_run_all(page)
    for name, page in pages.items():
        try:
            finish_run_all(page, f"hub-{name}-07")
        except AssertionError as error:
            errors.append(f"{name}: {error}")
    assert not errors, errors


def listening_ports(hub, name):
    """The TCP ports name's processes listen on (the course's servers in their kernel among them)."""
    ports = set()
    for proc in hub.processes_of([name]):
        try:
            ports |= {c.laddr.port for c in proc.net_connections("tcp") if c.status == "LISTEN"}
        except Exception:
            pass
    return ports


def test_a_learner_reaches_neither_another_learners_files_nor_server_nor_redis(hub, chromium):
    a, b = list(LEARNERS)[:2]
    page = log_in(chromium.new_context(), hub, a)
    server_ready(hub, page, a)
    theirs = page.request.get(f"{hub.base}/user/{b}/api/contents", fail_on_status_code=False, max_redirects=0)
    assert theirs.status in (302, 403, 404), f"{a} reached {b}'s server: {theirs.status}"
    if theirs.status == 302:
        assert f"/user/{b}/" not in theirs.headers.get("location", "") or "oauth" in theirs.headers["location"]
    peek = hub.run_as(b, ["sh", "-c", f"ls {pwd.getpwnam(a).pw_dir} 2>&1 || true"]).stdout
    assert "Permission denied" in peek
    redis_ports = [p for p in listening_ports(hub, a) if knocks(hub, b, p) == "NOAUTH"]
    assert redis_ports, f"{a}'s notebook 07 runs a Redis that asks for a password: none found"
    page.context.close()


def knocks(hub, name, port):
    """What a Redis on port answers name's PING without a password: 'NOAUTH', 'PONG' or ''."""
    code = (f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
            "s.sendall(b'PING\\r\\n'); s.settimeout(3)\ntry:\n    print(s.recv(200))\nexcept OSError:\n    print('')")
    out = hub.run_as(name, [sys.executable, "-c", code]).stdout
    return "NOAUTH" if "NOAUTH" in out else "PONG" if "PONG" in out else ""


def nbgrader(hub, *args, timeout=300):
    """An nbgrader command, as the instructor, in the shared course folder."""
    return hub.run_as(INSTRUCTOR, [sys.executable, "-m", "nbgrader", *args], cwd=hub.state / "nbgrader" / "course", timeout=timeout)


def open_assignment_list(page):
    """Nbgrader > Assignment List, as a learner opens it."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").first.click()
    page.locator(".lm-Menu-item[data-command='nbgrader:open-assignment-list']").click()


def solve(hub, name, how):
    """What the learner does to the fetched notebook: solve it, leave it, or make it hang."""
    path = Path(pwd.getpwnam(name).pw_dir) / ASSIGNMENT / f"{EXERCISE}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    if how == "solved":
        notebook = nbformat.read(ROOT / "notebooks" / "solutions" / f"{EXERCISE}.ipynb", as_version=4)
    elif how in ("hangs", "dies"):
        cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("solution"))
        cell.source = (HANG if how == "hangs" else DIE) + cell.source
    nbformat.write(notebook, path)
    account = pwd.getpwnam(name)
    os.chown(path, account.pw_uid, account.pw_gid)


def feedback_of(hub, name):
    """The feedback page nbgrader made for name's submission."""
    return (hub.state / "nbgrader" / "course" / "feedback" / name / ASSIGNMENT / f"{EXERCISE}.html").read_text()


def test_the_exercise_goes_round_release_fetch_submit_collect_grade_feedback_export(hub, chromium):
    nbgrader(hub, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(hub, "release_assignment", ASSIGNMENT, "--force")
    for name, how in LEARNERS.items():
        page = log_in(chromium.new_context(viewport={"width": 1400, "height": 1000}), hub, name)
        server_ready(hub, page, name)
        page.goto(f"{hub.base}/user/{name}/lab")
        open_assignment_list(page)
        page.locator("#released_assignments_list button", has_text="Fetch").first.click()
        page.locator("#fetched_assignments_list", has_text=ASSIGNMENT).wait_for()
        solve(hub, name, how)
        if how == "solved":  # the solver runs it first, and sees the checker pass
            page.goto(f"{hub.base}/user/{name}/lab/workspaces/solve/tree/{ASSIGNMENT}/{EXERCISE}.ipynb?reset")
            run_all(page, f"hub-{name}-{EXERCISE}")
            assert page.locator(".jp-OutputArea-output", has_text="Result: passed").count() >= 1
            page.goto(f"{hub.base}/user/{name}/lab")
            open_assignment_list(page)
        page.locator("#fetched_assignments_list button", has_text="Submit").first.click()
        page.locator("#submitted_assignments_list", has_text=ASSIGNMENT).wait_for()
        screenshot(page, f"hub-{name}-submitted")
        page.context.close()
    nbgrader(hub, "collect", ASSIGNMENT)
    nbgrader(hub, "autograde", ASSIGNMENT, "--force", timeout=600)
    nbgrader(hub, "generate_feedback", ASSIGNMENT, "--force")
    nbgrader(hub, "export")
    page = log_in(chromium.new_context(viewport={"width": 1400, "height": 1000}), hub, INSTRUCTOR)
    server_ready(hub, page, INSTRUCTOR)
    page.goto(f"{hub.base}/user/{INSTRUCTOR}/formgrader/gradebook/{ASSIGNMENT}")  # the instructor's view of it
    page.get_by_text(EXERCISE).first.wait_for()
    screenshot(page, "hub-formgrader")
    assert "2.5 / 10" in page.inner_text("body")  # the class's average: 10, 0, 0 and 0
    page.context.close()
    grades = {row["student_id"]: float(row["score"]) for row in csv.DictReader(
        (hub.state / "nbgrader" / "course" / "grades.csv").open()) if row["assignment"] == ASSIGNMENT}
    assert grades == {"dis-learner-a": 10.0, "dis-learner-b": 0.0, "dis-learner-c": 0.0, "dis-learner-d": 0.0}
    assert "did not finish within 60 s, so grading interrupted it" in feedback_of(hub, "dis-learner-c")
    assert "the kernel stopped while this cell ran" in feedback_of(hub, "dis-learner-d")


def test_stopping_the_hub_leaves_no_learner_process_and_the_culler_stops_an_idle_server(hub, chromium):
    hub.stop()
    deadline = time.monotonic() + 30
    while hub.processes_of(LEARNERS) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not hub.processes_of(LEARNERS), [p.info["cmdline"][:3] for p in hub.processes_of(LEARNERS)]
    hub.start(cull_seconds=20)
    name = next(iter(LEARNERS))
    page = log_in(chromium.new_context(), hub, name)
    server_ready(hub, page, name)
    page.context.close()  # the learner walks away: nothing keeps the server busy
    deadline = time.monotonic() + 120
    while hub.processes_of([name]) and time.monotonic() < deadline:
        time.sleep(1)
    assert not hub.processes_of([name]), "the idle culler did not stop an idle server within 120 s"
    assert f"Culling server {name}" in hub.text()
