"""Timings the fallacies lab prints: warmed up, the median of several, and each promised cost measured."""
import random
from pathlib import Path

import nbformat

from helpers.faults import codec_costs, echo_ms, in_front_of
from helpers.serialization.codecs import json_codec, msgpack_codec
from helpers.serialization.shapes import telemetry
from helpers.servers.tcp import echo_server

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "16_fallacies_lab.ipynb"


def test_echo_ms_warms_up_then_takes_the_median_of_several():
    with echo_server("faults-t-echo") as echo, in_front_of(echo, name="faults-t-proxy") as proxy:
        proxy.set(latency_ms=20)
        ms = echo_ms(proxy, b"x" * 1024, median_of=3)
        assert proxy.stats.clients == 4  # one round trip to warm up, three timed
        assert ms >= 40  # 20 ms each way is a floor, however busy the machine


def test_codec_costs_gives_the_size_and_both_times_in_microseconds():
    record = telemetry(0, random.Random(0))
    for codec in (json_codec(), msgpack_codec()):
        size, encode_us, decode_us = codec_costs(codec, record, repeat=3, number=20)
        assert size == len(codec.encode(record))
        assert 0 < encode_us < 100_000 and 0 < decode_us < 100_000


def test_the_cell_that_promises_encode_and_decode_costs_measures_them():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    promise = next(n for n, cell in enumerate(cells) if "costs to encode and decode" in cell.source)
    code = next(cell.source for cell in cells[promise + 1:] if cell.cell_type == "code")
    assert "codec_costs(" in code and "µs" in code
