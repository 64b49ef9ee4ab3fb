"""14_big_data in a real browser: Run All, then the Dask dashboard opened at the path the notebook prints (through
JupyterLab's proxy), its status page drawn, with nothing asked of any host outside this machine."""
import re

from browser import CURRENT, block_outside, browser, lab, screenshot, walked  # noqa: F401 (fixtures)


def run_cell(page, starts_with, expect, timeout=60_000):
    """Run the code cell whose source starts with starts_with (Ctrl+Enter) and wait until its output holds expect."""
    cell = page.locator(CURRENT + " .jp-CodeCell", has=page.locator(".cm-content", has_text=starts_with)).first
    cell.scroll_into_view_if_needed()
    prompt = cell.locator(".jp-InputPrompt")
    old = prompt.inner_text()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    page.wait_for_function("([el, old]) => el.textContent !== old && /\\[\\d+\\]/.test(el.textContent)",
                           arg=[prompt.element_handle(), old], timeout=timeout)
    output = cell.locator(".jp-OutputArea")
    output.get_by_text(expect).first.wait_for(timeout=5_000)
    return output.inner_text()


def test_run_all_and_the_dask_dashboard_through_the_proxy(browser, lab):
    with walked(browser, lab, "14_big_data.ipynb") as page:
        try:
            answers = page.locator(CURRENT + " .jp-OutputArea-output", has_text="a worker killed").first.inner_text()
            assert answers.count("same") >= 6 and "DIFFERENT" not in answers
            finished = page.locator(CURRENT + " .jp-OutputArea-output", has_text="Finished:")
            finished.nth(1).wait_for(timeout=10_000)  # watch()'s bars, drawn and filled for the bag and the dataframe
            finished.first.scroll_into_view_if_needed()
            screenshot(page, "14_watch")
            shown = run_cell(page, "cluster = dask_cluster(workers=2)", "dashboard:")  # Run All stopped it before Spark
        finally:
            screenshot(page, "14_big_data")
        path = re.search(r"dashboard: (\S+)", shown)[1]
        assert re.fullmatch(r"/proxy/\d+/status", path), path  # under a Jupyter server the link goes through its proxy

        board = browser.new_page(viewport={"width": 1300, "height": 900})
        outside = block_outside(board)
        try:
            board.goto(lab.url(path.lstrip("/")), timeout=30_000)
            board.wait_for_function("document.title.includes('Dask')", timeout=30_000)
            board.locator("canvas").first.wait_for(state="attached", timeout=30_000)  # Bokeh drew the status plots
            screenshot(board, "14_dask_dashboard")
        finally:
            board.close()
            stopped = run_cell(page, "cluster.stop()", "stopped")
        assert "<DaskCluster 'dask' stopped>" in stopped
        assert outside == [], f"the dashboard asked for something outside this machine: {outside}"
