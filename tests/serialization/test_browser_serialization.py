"""11_serialization in a real browser: Run All, then the format bench: a new shape, Measure, one row per format."""
from browser import CURRENT, SHOTS, browser, lab, screenshot, walked  # noqa: F401 (fixtures)

FORMATS = ["json", "pickle", "msgpack", "cbor", "protobuf", "avro"]


def test_run_all_and_measure_formats_in_the_browser(browser, lab):
    with walked(browser, lab, "11_serialization.ipynb") as page:
        outputs = page.locator(CURRENT + " .jp-OutputArea-output")
        assert outputs.filter(has_text="its scratch folder now holds pwned.txt").count() == 1
        assert outputs.filter(has_text="refused to load posix.system").count() == 1
        assert outputs.and_(page.locator("[data-mime-type='application/vnd.jupyter.stderr']")).count() == 0

        bench = page.locator(CURRENT + " .dis-ser-widget").first
        bench.scroll_into_view_if_needed()
        try:
            bench.locator(".dis-ser-shape select").select_option("nested")
            bench.locator(".dis-ser-measure").click()
            bench.locator(".dis-ser-status", has_text="6 formats measured").wait_for(timeout=60_000)
            table = bench.locator(".dis-ser-table")
            assert "nested, 200 records" in table.locator("caption").inner_text()
            cells = table.locator("tr.dis-ser-row td:first-child").all_inner_texts()
            assert cells == FORMATS
            sizes = [int(t.replace(",", "")) for t in table.locator("tr.dis-ser-row td:nth-child(2)").all_inner_texts()]
            assert all(size > 1000 for size in sizes) and sizes[0] == max(sizes)  # JSON is the biggest on nested records
            assert bench.locator("img.dis-ser-plot").evaluate("img => img.naturalWidth") > 400
        finally:
            bench.scroll_into_view_if_needed()
            screenshot(page, "11_serialization")
            bench.screenshot(path=str(SHOTS / "11_serialization_bench.png"))
