"""The six formats: every round trip gives back an equal value and, encoded again, the same bytes; timing is honest."""
import json
import time
from datetime import datetime, timezone

import pytest

from helpers.serialization import FORMATS, OBSERVATION, SHAPES, codecs, compile_proto, measure, tag, time_us, untag


@pytest.fixture(scope="module")
def proto():
    with compile_proto() as compiled:
        yield compiled


@pytest.mark.parametrize("name", FORMATS)
def test_the_observation_round_trips_equal_and_byte_identical(proto, name):
    codec = codecs(proto)[name]
    data = codec.encode(OBSERVATION)
    back = codec.decode(data)
    assert back == OBSERVATION
    assert type(back["time"]) is datetime and back["time"].utcoffset().total_seconds() == 0
    assert type(back["payload"]) is bytes and back["position"] == OBSERVATION["position"]
    assert codec.encode(back) == data


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", FORMATS)
def test_many_records_of_every_shape_round_trip(proto, shape, name):
    records = SHAPES[shape].records(25)
    codec = codecs(proto, shape, many=True)[name]
    data = codec.encode(records)
    assert codec.decode(data) == records
    assert codec.encode(codec.decode(data)) == data


def test_shapes_are_different_and_repeatable():
    firsts = [SHAPES[s].records(3)[0] for s in SHAPES]
    assert len({tuple(sorted(r)) for r in firsts}) == len(SHAPES)  # four different sets of keys
    assert SHAPES["nested"].records(5) == SHAPES["nested"].records(5)
    assert SHAPES["nested"].records(5) != SHAPES["nested"].records(5, seed=12)


def test_sizes_of_the_observation_are_what_the_notebook_says(proto):
    sizes = {name: len(codec.encode(OBSERVATION)) for name, codec in codecs(proto).items()}
    assert sizes == {"json": 199, "pickle": 235, "msgpack": 117, "cbor": 136, "protobuf": 87, "avro": 77}


def test_json_tags_carry_dates_and_bytes_and_refuse_the_rest():
    value = {"when": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc), "raw": b"\x00\xff"}
    text = json.dumps(value, default=tag)
    assert '"$datetime"' in text and '"$bytes": "AP8="' in text
    assert json.loads(text, object_hook=untag) == value
    assert json.loads('{"$datetime": "x", "other": 1}', object_hook=untag) == {"$datetime": "x", "other": 1}
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        json.dumps({1, 2}, default=tag)


def test_time_us_measures_what_a_call_takes():
    assert 1500 < time_us(lambda: time.sleep(0.002), runs=3, min_run_s=0.01) < 20_000
    assert time_us(lambda: None, runs=3, min_run_s=0.005) < 5


def test_measure_refuses_a_format_that_changes_the_value(proto):
    lossy = codecs(proto)["json"]
    broken = type(lossy)("lossy", lossy.encode, lambda data: {**lossy.decode(data), "id": 0})
    with pytest.raises(ValueError, match="lossy: decoding did not give back"):
        measure(broken, OBSERVATION, runs=1, min_run_s=0.001)
    good = measure(lossy, OBSERVATION, runs=3, min_run_s=0.001)
    assert good.size == 199 and 0 < good.encode_us < 1000 and 0 < good.decode_us < 1000
