"""`python -m helpers serve --list` reads the catalogues without importing a single server module, and ends quietly
when its reader leaves early (`serve --list | head -1`)."""
import os
import subprocess
import sys
import time

from helpers.core.catalog import listing, servers

LIST_AND_REPORT = """
import sys, helpers
before = set(sys.modules)
from helpers.__main__ import main
main(["serve", "--list"])
print("NEW", *sorted(set(sys.modules) - before - {"helpers.__main__"}))
"""


def test_serve_list_imports_nothing_but_the_standard_library():
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", LIST_AND_REPORT], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    took = time.monotonic() - started
    new = out.split("NEW", 1)[1].split()
    assert "echo " in out and "zmq-time " in out, out
    ours = [m for m in new if m.startswith("helpers.")]
    others = sorted({m.split(".")[0] for m in new} - set(sys.stdlib_module_names) - {"helpers"})
    assert ours == [] and others == [], f"serve --list imported {ours + others} ({took:.1f} s in all)"


def test_the_listing_read_from_the_sources_is_what_the_catalogues_declare():
    assert {name: about for name, (_, about) in listing().items()} == {n: a for n, (_, a) in servers().items()}
    assert list(listing()) == list(servers())


def test_a_reader_that_leaves_early_gets_no_traceback():
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line: every write is a broken pipe
    try:
        done = subprocess.run([sys.executable, "-m", "helpers", "serve", "--list"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")
