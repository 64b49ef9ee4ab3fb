"""03_packets_scapy in a real browser: the sequence diagram and the packet inspector render and respond."""
from browser import browser, lab, screenshot, walked  # noqa: F401 (fixtures)


def test_packets_notebook_shows_diagram_and_inspector(browser, lab):
    with walked(browser, lab, "03_packets_scapy.ipynb") as page:
        diagram = page.locator(".jp-RenderedImage img").first
        diagram.scroll_into_view_if_needed()
        assert diagram.evaluate("img => img.naturalWidth") > 300
        diagram.screenshot(path=str(screenshot(page, "03_packets_scapy").with_name("03_sequence.png")))
        inspector = page.locator(".dis-inspector").first
        inspector.scroll_into_view_if_needed()
        assert "RECORDED" in inspector.inner_text() or "LIVE" in inspector.inner_text()
        inspector.locator("select").first.select_option(index=0)  # the SYN
        inspector.locator(".jupyter-widget-Collapse-header", has_text="IP").first.click()
        field = inspector.locator(".jupyter-widget-Collapse-contents:not(.lm-mod-hidden) select")
        field.select_option(label=field.locator("option", has_text="src =").first.inner_text())
        explained = inspector.locator(".widget-html-content", has_text="src").filter(has_text="bytes 26-29")
        explained.first.wait_for(timeout=10_000)  # the IP source address: 4 bytes after the 14-byte Ethernet header
        inspector.screenshot(path=str(screenshot(page, "03_packets_scapy").with_name("03_inspector.png")))
        inspector.locator("select").first.select_option(index=1)  # the SYN-ACK: the same field stays lit
        inspector.locator(".widget-html-content", has_text="IP.src").filter(has_text="bytes 26-29").first.wait_for(
            timeout=10_000)
