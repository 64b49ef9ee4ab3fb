"""01_sockets_udp_tcp in a real browser: the protocol console sends over TCP and UDP."""
from browser import browser, lab, screenshot, walked  # noqa: F401 (fixtures)


def test_sockets_console_sends_over_both_protocols(browser, lab):
    with walked(browser, lab, "01_sockets_udp_tcp.ipynb") as page:
        console = page.locator(".widget-vbox", has=page.locator(".dis-reply")).last
        console.scroll_into_view_if_needed()
        for protocol in ("TCP", "UDP"):
            console.locator("button", has_text=protocol).first.click()
            console.locator("input[type='text']").fill(f"hello over {protocol}")
            console.locator("button", has_text="Send").click()
            console.locator(".dis-reply", has_text=protocol).wait_for(timeout=10_000)
            assert "round trip" in console.inner_text()
        screenshot(page, "01_sockets_udp_tcp")


def test_raw_console_speaks_each_service_and_shows_the_length_prefix_lesson(browser, lab):
    with walked(browser, lab, "02_messages_over_tcp.ipynb") as page:
        console = page.locator(".widget-vbox", has=page.locator(".widget-dropdown")).filter(
            has=page.locator(".dis-reply")).last
        console.scroll_into_view_if_needed()
        assert "HTTP/1.1 200 OK" in console.locator(".dis-reply").inner_text()  # the notebook's own HEAD request
        assert "to the first reply byte" in console.inner_text()
        shout = console.locator("select option", has_text="shout").first.inner_text()
        console.locator("select").select_option(label=shout)
        console.locator("textarea").fill("hello")
        console.locator("button", has_text="Send").click()
        console.get_by_text("as a length prefix").wait_for(timeout=10_000)  # b'hell' read as ~1.75 GB
        screenshot(page, "02_messages_over_tcp")
