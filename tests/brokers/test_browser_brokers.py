"""08_other_brokers in a real browser: Run All, then the charts and the comparison table are in the page,
and a STOMP CONNECT frame typed in the netcat console gets CONNECTED back."""
import re

from browser import CURRENT, browser, lab, screenshot, walked  # noqa: F401 (fixtures)

from helpers.brokers import rabbitmq_available

BROKERS = ["Redis", "ZeroMQ", "NATS", "STOMP", "RabbitMQ"]


def output_of(page, code):
    """The output area of the first code cell whose source holds code."""
    cell = page.locator(CURRENT + " .jp-CodeCell", has=page.locator(".cm-content", has_text=code)).first
    return cell.locator(".jp-OutputArea")


def drawn(image):
    """True once the <img> has loaded a picture of real size."""
    image.scroll_into_view_if_needed()
    return image.evaluate("img => img.complete && img.naturalWidth > 300 && img.naturalHeight > 150")


def test_charts_table_and_a_typed_stomp_frame(browser, lab):
    with walked(browser, lab, "08_other_brokers.ipynb") as page:

        table = page.locator(".broker-comparison")
        table.scroll_into_view_if_needed()
        column = table.locator("thead th").all_inner_texts().index("messages/s")
        rows = [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]
        assert [cells[0] for cells in rows] == BROKERS
        for cells in rows:
            if cells[0] == "RabbitMQ" and not rabbitmq_available(quiet=True):
                assert cells[column] == "not running here"
                continue
            assert re.fullmatch(r"[\d,]+", cells[column]) and int(cells[column].replace(",", "")) > 0, cells

        assert drawn(output_of(page, "plot_comparison(rows)").locator("img").first)  # the side-by-side chart
        assert drawn(output_of(page, "plot_split(nats_split)").locator("img").first)  # the queue group's split

        console = page.locator(CURRENT + " .widget-vbox", has=page.locator(".dis-reply")).last
        console.scroll_into_view_if_needed()
        assert "^@" in console.locator("textarea").input_value()  # the typed CONNECT frame, NUL as ^@
        console.locator("button", has_text="Send").click()
        try:
            console.locator(".dis-reply", has_text="CONNECTED").wait_for(timeout=10_000)
        finally:
            screenshot(page, "08_other_brokers")  # also when the reply is wrong: the page shows why
        assert "version:1.2" in console.locator(".dis-reply").inner_text()
