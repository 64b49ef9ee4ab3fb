"""05_zeromq_pipeline in a real browser: move the workers slider, run, see 100% and each worker's count."""
from browser import browser, lab, screenshot, walked  # noqa: F401 (fixtures)


def test_pipeline_widget_runs_with_the_chosen_number_of_workers(browser, lab):
    with walked(browser, lab, "05_zeromq_pipeline.ipynb") as page:
        view = page.locator(".dis-pipeline").first
        view.scroll_into_view_if_needed()
        assert "press Run" in view.inner_text()
        readout = view.locator(".widget-slider", has_text="workers").locator(".widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("3")
        page.keyboard.press("Enter")
        view.locator(".widget-readout", has_text="3").first.wait_for(timeout=5_000)
        view.locator("button", has_text="Run").click()
        view.get_by_text("40/40 tasks (100%)").wait_for(timeout=60_000)
        # the bar, the counts and the chart are separate widgets: each may arrive a moment after the other
        view.locator(".dis-time-chart", has_text="3 workers").wait_for(timeout=30_000)
        view.locator(".dis-worker-counts", has_text="w3").wait_for(timeout=30_000)
        counts = view.locator(".dis-worker-counts").inner_text()
        assert all(f"w{n}" in counts for n in (1, 2, 3)) and "w4" not in counts
        screenshot(page, "05_zeromq_pipeline")
