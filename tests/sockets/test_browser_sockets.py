"""01_sockets_udp_tcp in a real browser: the protocol console sends over TCP and UDP."""
from browser import browser, lab, open_and_run_all, screenshot  # noqa: F401 (fixtures)


def test_sockets_console_sends_over_both_protocols(browser, lab):
    page = open_and_run_all(browser, lab, "01_sockets_udp_tcp.ipynb")
    console = page.locator(".widget-vbox", has=page.locator(".dis-reply")).last
    console.scroll_into_view_if_needed()
    for protocol in ("TCP", "UDP"):
        console.locator("button", has_text=protocol).first.click()
        console.locator("input[type='text']").fill(f"hello over {protocol}")
        console.locator("button", has_text="Send").click()
        console.locator(".dis-reply", has_text=protocol).wait_for(timeout=10_000)
        assert "round trip" in console.inner_text()
    screenshot(page, "01_sockets_udp_tcp")
    page.close()
