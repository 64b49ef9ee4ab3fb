"""06_pub_sub in a real browser: Run All, then the stream viewers' counters rise in the page, and a topic can be unticked."""
import re
import time

from browser import browser, lab, screenshot, walked  # noqa: F401 (fixtures)


def total(view):
    """The sum of the per-topic counters shown in the page."""
    text = view.locator(".dis-stream-counts").inner_text()
    return sum(int(n.replace(",", "")) for n in re.findall(r"\t([\d,]+)", text))


def test_stream_viewer_counters_rise_in_the_page(browser, lab):
    with walked(browser, lab, "06_pub_sub.ipynb") as page:
        for view in page.locator(".dis-stream-viewer").all():
            view.scroll_into_view_if_needed()
            view.locator(".dis-stream-counts", has_text="persian").wait_for(timeout=30_000)
            first, deadline = total(view), time.monotonic() + 30
            while total(view) <= first + 10:
                assert time.monotonic() < deadline, f"counters stuck at {first}"
                page.wait_for_timeout(200)
            assert "messages" in view.locator(".dis-stream-status").inner_text()
            assert view.locator(".dis-stream-log").inner_text().strip()
        assert page.locator(".dis-stream-viewer").count() == 2
        view = page.locator(".dis-stream-viewer").first
        view.locator(".dis-stream-topics label", has_text="persian").click()  # untick: unsubscribe live
        view.scroll_into_view_if_needed()
        screenshot(page, "06_pub_sub")
