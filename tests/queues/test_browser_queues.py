"""07_work_queues and exercise 17.4 in a real browser: the live factory follows its slider and Ethel's button;
a learner fails the check with a polling Lucy, reads the hint, and passes with a blocking pop."""
from browser import browser, lab, replace_cell, run_check, screenshot, walked  # noqa: F401 (fixtures)

CONVEYOR = '''def conveyor(r, belt, pieces, interval):
    for piece in pieces:
        r.rpush(belt, piece)
        time.sleep(interval)
    r.rpush(belt, "END")
'''
POLLING_LUCY = '''def lucy(r, belt, seconds=0.5):
    while True:
        piece = r.lpop(belt)
        if piece is None:
            continue
        if piece == "END":
            return
        print(datetime.now().strftime("%H:%M:%S"), piece, r.llen(belt), "left")
        time.sleep(seconds)
'''
BLOCKING_LUCY = POLLING_LUCY.replace('''        piece = r.lpop(belt)
        if piece is None:
            continue
''', '''        _, piece = r.blpop(belt)
''')


def test_the_factory_follows_its_slider_and_ethel_shares_the_work(browser, lab):
    with walked(browser, lab, "07_work_queues.ipynb") as page:
        share = page.locator(".dis-share").first
        assert share.locator(".dis-share-table").inner_text().count("subscriber") == 2
        view = page.locator(".dis-factory").first
        view.scroll_into_view_if_needed()
        counts, chart = view.locator(".dis-factory-counts"), view.locator(".dis-factory-backlog")
        view.locator(".dis-factory-status", has_text="running: Lucy at the belt").wait_for(timeout=10_000)
        slider = view.locator(".widget-slider", has_text="belt speed")
        for _ in range(4):  # 2.0 -> 4.0 pieces a second, in steps of 0.5
            slider.locator(".noUi-handle").press("ArrowRight")
        slider.locator(".widget-readout", has_text="4.0").wait_for(timeout=5_000)
        before = chart.inner_text()
        page.wait_for_function("([el, old]) => el.textContent !== old", arg=[chart.element_handle(), before],
                               timeout=10_000)  # the backlog chart is redrawn live
        view.locator("button", has_text="Bring in Ethel").click()
        counts.locator("b", has_text="Ethel").wait_for(timeout=15_000)  # Ethel has handled a piece
        view.locator("button", has_text="Send Ethel away").wait_for(timeout=5_000)
        assert "Lucy" in counts.inner_text() and "no piece handled twice" in counts.inner_text()
        assert "Lucy and Ethel at the belt" in view.locator(".dis-factory-status").inner_text()
        screenshot(page, "07_work_queues")


def test_a_learner_reads_the_hint_and_then_passes(browser, lab):
    with walked(browser, lab, "exercises/17_4_chocolate_factory.ipynb") as page:
        assert "not solved yet" in run_check(page, "check_chocolate_factory(").inner_text()
        replace_cell(page, "def conveyor(", CONVEYOR)
        replace_cell(page, "def lucy(", POLLING_LUCY)
        report = run_check(page, "check_chocolate_factory(")
        report.get_by_text("Hint: Take each piece with a blocking pop").wait_for(timeout=10_000)
        assert "✗ Lucy waits with a blocking pop" in report.inner_text() and "LPOP ×" in report.inner_text()
        replace_cell(page, "def lucy(", BLOCKING_LUCY)
        report = run_check(page, "check_chocolate_factory(")
        report.get_by_text("Result: passed").wait_for(timeout=10_000)
        assert "✗" not in report.inner_text()
        screenshot(page, "17_4_chocolate_factory")
