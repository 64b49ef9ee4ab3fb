"""04_zeromq_request_reply in a real browser: moving the broker's workers slider changes the live chart."""
from browser import browser, lab, screenshot, walked  # noqa: F401 (fixtures)


def test_broker_chart_follows_the_workers_slider(browser, lab):
    with walked(browser, lab, "04_zeromq_request_reply.ipynb") as page:
        view = page.locator(".dis-broker").first
        view.scroll_into_view_if_needed()
        chart, rate = view.locator(".dis-broker-chart"), view.locator(".dis-broker-rate")
        rate.get_by_text("to 2 workers").wait_for(timeout=60_000)
        assert "w2" in chart.inner_text() and "w3" not in chart.inner_text()
        slider = view.locator(".widget-slider", has_text="workers M")
        slider.locator(".noUi-handle").focus()
        slider.locator(".noUi-handle").press("ArrowRight")  # 2 -> 3 workers: a process starts, a new run begins
        rate.get_by_text("to 3 workers").wait_for(timeout=60_000)
        chart.get_by_text("w3").wait_for(timeout=30_000)
        page.wait_for_function("el => !el.textContent.includes('running')", arg=rate.element_handle(), timeout=60_000)
        bars = chart.inner_text().splitlines()
        assert [line.split()[0] for line in bars] == ["w1", "w2", "w3"]
        assert all(int(line.split()[-1]) > 0 for line in bars)  # every worker handled requests in this run
        screenshot(page, "04_zeromq_request_reply")
