"""10_web_apis in a real browser: Run All, an HTTP request typed in the raw console, the explorer clicked
(200, 422, 401), and the docs page in the notebook's frame, through the proxy and with nothing from outside."""
from browser import CURRENT, block_outside, browser, lab, screenshot, walked  # noqa: F401 (fixtures)


def pick(explorer, endpoint):
    """Choose the explorer's endpoint whose label holds endpoint, e.g. 'GET /v1/satellites/{number}'."""
    menu = explorer.locator(".dis-api-endpoint select")
    menu.select_option(label=menu.locator("option", has_text=endpoint).first.inner_text())


def send(explorer, expect):
    """Press Send and wait for a status line holding expect; return the body's text."""
    explorer.locator(".dis-api-send").click()
    explorer.locator(".dis-api-status", has_text=expect).wait_for(timeout=10_000)
    return explorer.locator(".dis-api-body").inner_text()


def test_console_explorer_and_docs_in_the_browser(browser, lab):
    with walked(browser, lab, "10_web_apis.ipynb") as page:
        outside = block_outside(page)
        console = page.locator(CURRENT + " .widget-vbox", has=page.locator(".dis-reply")).first
        console.scroll_into_view_if_needed()
        console.locator("button", has_text="Send").click()
        console.locator(".dis-reply", has_text="HTTP/1.1 200 OK").wait_for(timeout=10_000)
        assert "International Space Station" in console.locator(".dis-reply").inner_text()

        explorer = page.locator(CURRENT + " .dis-api-explorer").first
        explorer.scroll_into_view_if_needed()
        try:
            pick(explorer, "GET /v1/satellites/{number}")
            explorer.locator(".dis-api-param-number input").fill("25544")
            assert "International Space Station" in send(explorer, "200 OK")
            assert "GET /v1/satellites/25544 HTTP/1.1" in explorer.locator(".dis-api-request").inner_text()
            pick(explorer, "GET /v1/satellites ")
            explorer.locator(".dis-api-param-orbit input").fill("Mars")
            assert '"orbit"' in send(explorer, "422")
            explorer.locator(".dis-api-key input").fill("")
            assert "X-API-Key" in send(explorer, "401")
        finally:
            screenshot(page, "10_web_apis")

        docs = page.locator(CURRENT + " .dis-api-docs")
        docs.scroll_into_view_if_needed()
        assert "/proxy/" in docs.inner_text()  # under a Jupyter server the page goes through its proxy
        loaded = next(f for f in page.frames if "/proxy/" in f.url and f.url.endswith("/docs"))
        loaded.goto(loaded.url)  # again, now that every request outside this machine is refused and recorded
        frame = page.frame_locator(CURRENT + " .dis-api-docs iframe")
        frame.locator(".swagger-ui .info .title", has_text="Satellites").wait_for(timeout=20_000)
        assert frame.locator(".opblock-summary-path", has_text="/v1/satellites/{number}").count() == 1
        screenshot(page, "10_web_apis_docs")
        assert outside == [], f"the notebook's page asked for something outside this machine: {outside}"
