"""15_clouds_containers in a real browser: Run All, then crash a worker and add one with the live view's buttons; at
the end the cloud emulators and the workers are still up, listen on 127.0.0.1 only, and die with a killed kernel."""
from browser import CURRENT, block_outside, browser, lab, screenshot, walked  # noqa: F401 (fixtures)

from helpers.cloud import azurite_path


def test_crash_and_scale_buttons_move_the_live_view(browser, lab):
    alive = ("moto_child", "gcs_child", "helpers.zeromq.worker") + (("azurite-blob",) if azurite_path() else ())
    with walked(browser, lab, "15_clouds_containers.ipynb", alive=alive) as page:
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
