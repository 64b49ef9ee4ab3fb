"""Exercise 17.3 in a real browser: registering datetime.now().isoformat itself freezes the clock, and the hint
says why; a time() that computes the time at each call passes."""
from browser import browser, lab, replace_cell, run_check, screenshot, walked  # noqa: F401 (fixtures)

FROZEN = '''def register(server):
    server.register_function(datetime.now().isoformat, "time")
'''
RIGHT = '''def register(server):
    def time():
        return datetime.now().isoformat()
    server.register_function(time, "time")
'''


def test_a_learner_freezes_the_clock_reads_the_hint_and_passes(browser, lab):
    with walked(browser, lab, "exercises/17_3_xmlrpc_time_server.ipynb") as page:
        assert "not solved yet" in run_check(page, "check_xmlrpc_time_server(").inner_text()
        replace_cell(page, "def register(", FROZEN)
        report = run_check(page, "check_xmlrpc_time_server(")
        report.get_by_text("Hint: Compute the time inside time(), on every call").wait_for(timeout=10_000)
        text = report.inner_text()
        assert "✗ the time is within 2 s of now, and moves on" in text and "again, a second later" in text
        screenshot(page, "17_3_xmlrpc_time_server_hint")
        replace_cell(page, "def register(", RIGHT)
        report = run_check(page, "check_xmlrpc_time_server(")
        report.get_by_text("Result: passed").wait_for(timeout=10_000)
        assert "✗" not in report.inner_text() and "✓ exposes time only" in report.inner_text()
        screenshot(page, "17_3_xmlrpc_time_server")
