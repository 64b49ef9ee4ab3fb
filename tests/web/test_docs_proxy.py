"""The FastAPI docs page through JupyterLab's proxy (jupyter-server-proxy): nothing from a CDN, Swagger UI renders,
and Authorize + Try it out + Execute gets a satellite through /proxy/<port>/."""
from browser import block_outside, browser, lab, screenshot  # noqa: F401 (fixtures)

from helpers.web import api_server

GET_ONE = "#operations-satellites-get_satellite_v1_satellites__number__get"


def test_swagger_ui_works_through_the_jupyter_proxy(browser, lab):
    with api_server("fastapi") as server:
        port = server.address[1]
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.set_default_timeout(20_000)
        outside, api_calls = block_outside(page), []
        page.on("response", lambda r: api_calls.append((r.url, r.status)) if "/v1/" in r.url else None)
        try:
            page.goto(lab.url(f"proxy/{port}/docs"))
            page.locator(".swagger-ui .info .title", has_text="Satellites").wait_for()
            listing = page.locator("#operations-satellites-list_satellites_v1_satellites_get .opblock-summary")
            assert listing.is_visible() and "GET" in listing.inner_text() and "/v1/satellites" in listing.inner_text()

            page.locator(".swagger-ui .btn.authorize").first.click()
            page.locator(".auth-container input").fill(server.key)
            page.locator(".auth-btn-wrapper button.authorize").click()
            page.locator(".auth-btn-wrapper button.btn-done").click()

            operation = page.locator(GET_ONE)
            operation.locator(".opblock-summary").click()
            operation.locator("button.try-out__btn").click()
            operation.locator("tr[data-param-name='number'] input").fill("25544")
            operation.locator("button.execute").click()
            operation.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
            operation.locator(".live-responses-table", has_text="International Space Station").wait_for()
        finally:
            screenshot(page, "10_docs_through_proxy")
        assert operation.locator(".request-url").inner_text().strip().endswith(f"/proxy/{port}/v1/satellites/25544")
        assert api_calls == [(f"http://127.0.0.1:{lab.port}/proxy/{port}/v1/satellites/25544", 200)]
        assert outside == [], f"the docs page asked for something outside this machine: {outside}"
        page.close()
