"""16_fallacies_lab in a real browser: Run All writes nothing to stderr (nothing leaks from the proxy's loop thread or
the servers behind it), then move the latency slider and see the round-trip chart move."""
from browser import STDERR, browser, lab, screenshot, walked  # noqa: F401 (fixtures)

RTT_MS = "el => parseFloat(el.textContent.replace('round trip:', '')) || 0"


def test_the_round_trip_chart_follows_the_latency_slider(browser, lab):
    with walked(browser, lab, "16_fallacies_lab.ipynb") as page:
        assert page.locator(STDERR).all_inner_texts() == []
        panel = page.locator(".dis-faults").first
        panel.scroll_into_view_if_needed()
        rtt, line = panel.locator(".dis-faults-rtt"), panel.locator(".dis-faults-chart polyline")
        page.wait_for_function(f"el => ({RTT_MS})(el) > 0 && ({RTT_MS})(el) < 50", arg=rtt.element_handle(),
                               timeout=20_000)
        before = line.get_attribute("points")
        slider = panel.locator(".widget-slider", has_text="latency ms")
        slider.locator(".noUi-handle").focus()
        steps = (100 - int(slider.locator(".widget-readout").inner_text())) // 10  # the panel shows the proxy's setting
        for _ in range(steps):  # -> 100 ms each way, in steps of 10
            slider.locator(".noUi-handle").press("ArrowRight")
        slider.locator(".widget-readout", has_text="100").wait_for(timeout=5_000)
        page.wait_for_function(f"el => ({RTT_MS})(el) > 150", arg=rtt.element_handle(), timeout=20_000)
        assert line.get_attribute("points") != before  # the chart was redrawn with the slow round trips
        assert "ms" in panel.locator(".dis-faults-chart").inner_text()
        screenshot(page, "16_fallacies_lab")
        for _ in range(steps):
            slider.locator(".noUi-handle").press("ArrowLeft")
        page.wait_for_function(f"el => ({RTT_MS})(el) > 0 && ({RTT_MS})(el) < 50", arg=rtt.element_handle(),
                               timeout=20_000)
