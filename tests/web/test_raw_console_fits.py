"""Notebook 10's raw console, built by its own cell: every line of the request in view (the key header the text
says to remove among them), and the round trip on a line of its own under the reply, never squeezed beside it."""
import nbformat
from notebook_code import NOTEBOOKS, notebook_functions

from helpers.web import HEADER, api_server

CELL = "bcbf5c61"  # the cell that makes the console


def run_console_cell(api):
    """The console the notebook's cell makes for api."""
    namespace = notebook_functions("10_web_apis.ipynb")
    namespace["api"] = api
    cell = next(c for c in nbformat.read(NOTEBOOKS / "10_web_apis.ipynb", as_version=4).cells if c.get("id") == CELL)
    exec(compile(cell.source, f"cell {CELL}", "exec"), namespace)
    return namespace["console"]


def test_the_whole_request_is_in_view_and_the_timing_has_a_line_of_its_own():
    with api_server("fastapi", name="api-console-fits") as api:
        console = run_console_cell(api)
        lines = console.text.value.split("\n")
        assert any(line.startswith(HEADER) for line in lines)
        assert console.text.rows is not None and console.text.rows >= len(lines)
        row = next(c for c in console.children if console.reply in getattr(c, "children", ()))
        assert console.rtt in row.children and row.layout.flex_flow == "column"
        console.submit()
    assert "HTTP/1.1 200 OK" in console.reply.value and console.rtt.value.startswith("round trip ")
