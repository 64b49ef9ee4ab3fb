"""15_clouds_containers in a real browser: Run All, then crash a worker and add one with the live view's buttons."""
from browser import CURRENT, block_outside, browser, lab, open_and_run_all, screenshot  # noqa: F401 (fixtures)


def test_crash_and_scale_buttons_move_the_live_view(browser, lab):
    page = open_and_run_all(browser, lab, "15_clouds_containers.ipynb", timeout=180_000)
    outside = block_outside(page)
    view = page.locator(CURRENT + " .dis-orchestra").first
    view.scroll_into_view_if_needed()
    rate, bars, news = (view.locator(f".dis-orchestra-{part}") for part in ("rate", "bars", "events"))
    view.locator("button", has_text="load for 15 s").click()
    rate.get_by_text("2 workers (wanted: 2)").wait_for(timeout=30_000)  # the scenario left two workers
    view.locator("button", has_text="crash a worker").click()
    news.get_by_text("died: replaced").wait_for(timeout=20_000)
    view.locator("button", has_text="load for 15 s").click()  # 15 s more from now, whatever is left
    view.locator("button", has_text="add a worker").click()
    rate.get_by_text("3 workers (wanted: 3)").wait_for(timeout=30_000)
    bars.get_by_text("w3").wait_for(timeout=20_000)
    page.wait_for_function("el => /w3\\s+\\S*\\s*[1-9]/.test(el.textContent)", arg=bars.element_handle(),
                           timeout=20_000)  # the new worker got a share of the requests
    assert "requests/s" in rate.inner_text()
    screenshot(page, "15_clouds_containers")
    assert outside == [], f"the notebook's page asked for something outside this machine: {outside}"
    page.close()
