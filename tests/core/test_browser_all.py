"""A learner's first minutes in a real browser (Run All on 00_start_here, then type and Send), and the browser walk of
every notebook that no topic's browser test walks: Run All, Restart & Run All, its Try-it prompts, its kernel killed."""
import os
import re
from pathlib import Path

import pytest

from browser import CURRENT, ROOT, browser, lab, screenshot, walked  # noqa: F401 (fixtures)

NOTEBOOKS = sorted(str(p.relative_to(ROOT / "notebooks")) for p in (ROOT / "notebooks").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
WALK = re.compile(r"walked\(browser, lab, \"([^\"]+)\"")


def walked_in(folder):
    """{test file: the notebooks it walks} for every browser test under folder."""
    return {path: WALK.findall(path.read_text()) for path in sorted(folder.rglob("test_browser_*.py"))}


WALKED_ELSEWHERE = [n for path, names in walked_in(ROOT / "tests").items() if path.name != Path(__file__).name
                    for n in names]


def test_every_notebook_is_walked_in_the_browser_exactly_once():
    walks = WALKED_ELSEWHERE + ["00_start_here.ipynb"] + [n for n in NOTEBOOKS if n not in WALKED_ELSEWHERE
                                                         and n != "00_start_here.ipynb"]
    assert sorted(walks) == NOTEBOOKS, f"walked twice or not a notebook: {sorted(set(walks) ^ set(NOTEBOOKS))}"
    assert len(WALKED_ELSEWHERE) > 15  # the topic tests were found


def test_start_here_runs_and_the_send_button_works(browser, lab):
    with walked(browser, lab, "00_start_here.ipynb") as page:
        assert page.locator(".jp-OutputArea-output", has_text="All set").count() == 1
        page.locator(".widget-gridbox", has_text="redis process").wait_for()  # the services panel
        console = page.locator(".widget-vbox", has=page.locator(".dis-reply")).first
        console.scroll_into_view_if_needed()
        console.locator("input[type='text']").fill("hello from the browser")
        console.locator("button", has_text="Send").click()
        console.locator(".dis-reply", has_text="hello from the browser").wait_for(timeout=10_000)
        assert "round trip" in console.inner_text()
        console.locator("input[type='text']").fill("sent with Enter")
        console.locator("input[type='text']").press("Enter")
        console.locator(".dis-reply", has_text="sent with Enter").wait_for(timeout=10_000)
        assert screenshot(page, "00_start_here").stat().st_size > 10_000
        if os.geteuid() == 0 and lab.who.startswith("user"):  # as root, the lab and its kernel run as the learner
            kernels = [p for p in Path("/proc").glob("[0-9]*") if f"{lab.process.pid}" == stat_field(p, "PPid")]
            assert kernels and {stat_field(p, "Uid").split()[0] for p in kernels + [Path(f"/proc/{lab.process.pid}")]} \
                == {str(lab.uid)} != {"0"}
        page.locator(CURRENT + " .jp-RenderedMarkdown a", has_text="course map").first.click()  # out of notebooks/
        page.locator(".lm-TabBar-tab", has_text="README.md").wait_for(timeout=30_000)
        assert page.locator(".jp-Dialog").count() == 0  # no "File Load Error"
        page.locator(".lm-TabBar-tab", has_text="00_start_here").click()  # back to the notebook for the rest of the walk


def stat_field(proc, name):
    """A field of /proc/PID/status ('' if the process is gone)."""
    try:
        lines = (proc / "status").read_text().splitlines()
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(name + ":")), "")


@pytest.mark.parametrize("notebook", [n for n in NOTEBOOKS if n not in WALKED_ELSEWHERE and n != "00_start_here.ipynb"])
def test_run_all_restart_and_try_it(browser, lab, notebook):
    with walked(browser, lab, notebook):
        pass  # the walk is the test: every cell ran twice, every Try-it prompt ran, nothing outlived the kernel
