"""Notebook 11's claims about sizes and speeds, measured the notebook's way: the words hold (they are worded for a busy
class server; the suite itself keeps both CPUs busy, and a run beside two busy loops passed)."""
from pathlib import Path

import nbformat
import pytest

from helpers.serialization import OBSERVATION, codecs, compile_proto, measure_all, measurements_table, time_us, to_dict

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "11_serialization.ipynb"


def text_of_notebook():
    """All the markdown of notebook 11, its lines joined."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    return " ".join(" ".join(c.source.split()) for c in cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def proto():
    with compile_proto() as compiled:
        yield compiled


def test_the_sizes_are_those_the_text_gives(proto):
    words = text_of_notebook()
    assert "Avro about 77 bytes, Protocol Buffers about 87), MessagePack needs about 117, CBOR 136" in words
    sizes = {m.format: m.size for m in measure_all(codecs(proto), OBSERVATION, runs=1, min_run_s=0.001)}
    assert sizes == {"avro": 77, "protobuf": 87, "msgpack": 117, "cbor": 136, "json": 199, "pickle": 235}


@pytest.mark.parametrize("attempt", [1, 2])
def test_msgpack_is_the_quickest_encoder_on_a_busy_machine(proto, attempt):
    assert "MessagePack is the quickest to encode" in text_of_notebook()
    results = measure_all(codecs(proto), OBSERVATION)  # as the notebook measures
    quickest = min(results, key=lambda m: m.encode_us)
    assert quickest.format == "msgpack", [(m.format, round(m.encode_us, 1)) for m in results]
    assert f"<b>{quickest.encode_us:,.1f}</b>" in measurements_table(results)  # the bold the text points to


def test_most_of_protobufs_decode_time_is_the_copy_into_a_dict(proto):
    assert "most of its decode time above is the copy into a dict" in text_of_notebook()
    data = proto.Observation(**OBSERVATION).SerializeToString()
    parse_only = time_us(lambda: proto.Observation.FromString(data))
    into_dict = time_us(lambda: to_dict(proto.Observation.FromString(data)))
    assert into_dict > 2 * parse_only, (parse_only, into_dict)
