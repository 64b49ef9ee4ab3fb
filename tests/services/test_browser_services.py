"""09_internet_services in a real browser: Run All, then a DNS lookup typed into the widget, the SMTP conversation
sent from the raw console, and a message sent and opened in the mail widget."""
from browser import CURRENT, browser, lab, screenshot, walked  # noqa: F401 (fixtures)

from helpers.services import no_mail_reason


def test_dns_lookup_in_the_widget_and_mail_in_the_browser(browser, lab):
    with walked(browser, lab, "09_internet_services.ipynb") as page:

        widget = page.locator(CURRENT + " .dis-dns-widget").first
        widget.scroll_into_view_if_needed()
        answer = widget.locator(".dis-dns-answer")
        try:
            widget.locator(".dis-dns-name input").fill("crappytaxidermy.com")
            widget.locator(".dis-dns-type select").select_option("MX")
            widget.locator("button", has_text="Look up").click()
            answer.locator("pre", has_text="10 mail.crappytaxidermy.com.").wait_for(timeout=10_000)
            widget.locator(".dis-dns-type select").select_option("A")
            widget.locator("button", has_text="TCP").click()
            widget.locator("button", has_text="Look up").click()
            answer.locator("pre", has_text="192.0.2.80").wait_for(timeout=10_000)
            widget.locator(".dis-inspector").first.wait_for(timeout=10_000)  # the two messages, in 03's inspector
        finally:
            screenshot(page, "09_internet_services")  # also when the answer is wrong: the page shows why
        text = answer.inner_text()
        assert "NOERROR" in text and "TTL 3600 s" in text and "over TCP" in text, text
        assert "MX" not in text  # the new answer replaced the old one
        widget.locator(".dis-dns-name input").fill("owl.crappytaxidermy.com")
        widget.locator(".dis-dns-name input").press("Enter")
        answer.locator("pre", has_text="no such name (NXDOMAIN)").wait_for(timeout=10_000)

        if no_mail_reason():
            return  # where the mail server cannot run, its cells printed one line instead
        console = page.locator(CURRENT + " .widget-vbox", has=page.locator(".dis-reply")).last
        console.scroll_into_view_if_needed()
        assert "RCPT TO:<friend@example.org>" in console.locator("textarea").input_value()
        console.locator("button", has_text="Send").click()
        console.locator(".dis-reply", has_text="221").wait_for(timeout=10_000)

        mail = page.locator(CURRENT + " .dis-mail-widget").first
        mail.scroll_into_view_if_needed()
        mail.locator("button", has_text="Refresh").click()
        inbox = mail.locator(".dis-mail-inbox select")
        inbox.locator("option", has_text="me@example.org · typed by hand").wait_for(timeout=10_000)  # what the raw console sent
        mail.locator("input[type='text']").nth(1).fill("owl from the browser")
        mail.locator("button", has_text="Send").click()
        mail.locator(".dis-mail-status", has_text="sent to").wait_for(timeout=10_000)
        option = inbox.locator("option", has_text="owl from the browser")
        option.wait_for(timeout=10_000)
        inbox.select_option(label=option.inner_text())
        mail.locator(".dis-mail-message", has_text="Still interested in the owl?").wait_for(timeout=10_000)
        screenshot(page, "09_internet_services_mail")
