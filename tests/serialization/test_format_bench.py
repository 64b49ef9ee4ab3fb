"""The format bench widget, kernel-side: Measure fills one row per format, shows progress, never half a result."""
import re

import pytest

from helpers.serialization import FORMATS, compile_proto, format_bench
from helpers.serialization import widget as bench_module


@pytest.fixture(scope="module")
def proto():
    with compile_proto() as compiled:
        yield compiled


def rows(bench):
    """The formats named in the results table, in order."""
    return re.findall(r"<tr class='dis-ser-row'><td>(\w+)</td>", bench.table.value)


@pytest.mark.parametrize("shape", ["flat", "nested", "numeric-heavy", "text-heavy"])
def test_measure_fills_one_row_per_format(proto, shape):
    bench = format_bench(proto, runs=2, min_run_s=0.001)
    bench.shape.value, bench.count.value = shape, 20
    bench.button.click()
    assert rows(bench) == list(FORMATS)
    assert [m.format for m in bench.results] == list(FORMATS) and all(m.size > 0 for m in bench.results)
    assert f"{shape}, 20 records" in bench.table.value
    assert bench.plot.value[:4] == b"\x89PNG" and bench.plot.layout.display is None
    assert "6 formats measured" in bench.status.value and not bench.button.disabled
    assert bench.progress.layout.display == "none"


def test_more_records_make_more_bytes(proto):
    bench = format_bench(proto, runs=1, min_run_s=0.001)
    bench.count.value = 1
    one = {m.format: m.size for m in bench.measure()}
    bench.count.value = 50
    fifty = {m.format: m.size for m in bench.measure()}
    assert all(fifty[f] > 10 * one[f] for f in FORMATS)
    assert fifty["json"] > fifty["msgpack"] > fifty["avro"]


def test_progress_is_shown_while_a_long_measurement_runs(proto, monkeypatch):
    bench = format_bench(proto, runs=1, min_run_s=0.001)
    seen = []
    real_step = bench._step

    def step(done, total, name):
        bench._started -= 2  # as if two more seconds had passed
        real_step(done, total, name)
        seen.append((bench.progress.value, bench.progress.layout.display, bench.table.value, bench.status.value))

    monkeypatch.setattr(bench, "_step", step)
    bench.count.value = 5
    bench.measure()
    assert [s[0] for s in seen] == list(range(6)) and {s[1] for s in seen} == {None}
    assert {s[2] for s in seen} == {""}  # no table while measuring
    assert "measuring json (1 of 6)" in seen[0][3] and "measuring avro (6 of 6)" in seen[-1][3]
    assert bench.progress.layout.display == "none" and len(rows(bench)) == 6


def test_a_failure_halfway_shows_one_line_and_no_partial_table(proto, monkeypatch):
    bench = format_bench(proto, runs=1, min_run_s=0.001)
    bench.count.value = 3
    bench.measure()
    assert len(rows(bench)) == 6

    def fail_at_cbor(codecs, value, runs, min_run_s, progress):
        for done, name in enumerate(codecs):
            progress(done, len(codecs), name)
            if name == "cbor":
                raise ValueError("cbor: decoding did not give back the value that was encoded")

    monkeypatch.setattr(bench_module, "measure_all", fail_at_cbor)
    bench.shape.value = "nested"
    assert bench.measure() == []
    assert bench.table.value == "" and bench.results == [] and bench.plot.layout.display == "none"
    assert "cbor: decoding did not give back" in bench.status.value and "&#9888;" in bench.status.value
    assert not bench.button.disabled and bench.progress.layout.display == "none"
