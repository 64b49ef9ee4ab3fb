"""The observation feed and its validation: each malformed kind names its field, good records become typed objects,
and the server keeps serving good records after bad ones."""
import json
import socket
from datetime import datetime

import pytest

from helpers import ServiceError
from helpers.core.ports import is_listening
from helpers.serialization import ObservationFeed, ObservationModel, marshmallow_check, pydantic_check, read_feed
from helpers.serialization.feed import FEED, LINES, good, without
from helpers.serialization.validation import Observation, check_all, results_table

CHECKS = {"pydantic": (pydantic_check, ObservationModel), "marshmallow": (marshmallow_check, Observation)}
# each malformed kind, and the start of what each library says about it
BAD = {
    "missing": (without("time"), "time: ", {"pydantic": "Field required", "marshmallow": "Missing data"}),
    "wrong type": (good(position=[1.0, "north", 3.0]), "position.1: ",
                   {"pydantic": "Input should be a valid number", "marshmallow": "Not a valid number"}),
    "id as text": (good(id="ISS"), "id: ", {"pydantic": "Input should be a valid integer",
                                             "marshmallow": "Not a valid integer"}),
    "out of range": (good(id=250000), "id: ", {"pydantic": "less than or equal to 99999",
                                               "marshmallow": "less than or equal to 99999"}),
    "below range": (good(id=0), "id: ", {"pydantic": "greater than or equal to 1",
                                         "marshmallow": "greater than or equal to 1"}),
    "naive time": (good(time="2026-03-14T09:26:53"), "time: ", {"pydantic": "timezone", "marshmallow": "aware"}),
    "bad base64": (good(payload="not base64!"), "payload: ", {"pydantic": "base64", "marshmallow": "base64"}),
    "two coordinates": (good(position=[1.0, 2.0]), "position", {"pydantic": "", "marshmallow": ""}),
}


@pytest.fixture
def feed():
    with ObservationFeed(name="test-feed") as server:
        yield server


@pytest.mark.parametrize("library", CHECKS)
@pytest.mark.parametrize("kind", BAD)
def test_each_malformed_kind_is_refused_naming_the_field(library, kind):
    record, field, says = BAD[kind]
    obj, error = CHECKS[library][0](json.dumps(record).encode())
    assert obj is None
    assert error.startswith(field) and says[library].lower() in error.lower(), error
    assert "\n" not in error


@pytest.mark.parametrize("library", CHECKS)
def test_a_line_that_is_not_json_is_refused_as_a_whole(library):
    obj, error = CHECKS[library][0](b'{"id": 25994, "name": "TERRA", "time": "2026-')
    assert obj is None and error.startswith("(the line): ") and "json" in error.lower()


@pytest.mark.parametrize("library", CHECKS)
def test_good_records_become_typed_objects(library):
    check, cls = CHECKS[library]
    obj, error = check(json.dumps(good()).encode())
    assert error == "" and isinstance(obj, cls)
    assert obj.id == 25544 and isinstance(obj.time, datetime) and obj.time.utcoffset().total_seconds() == 0
    assert obj.position == (4123.456789, -2711.25, 4706.0625) and obj.payload == b"\x00\xff\x10\xa5\xc3\x7f"
    bare, _ = check(json.dumps({k: v for k, v in good().items() if k not in ("tags", "payload")}).encode())
    assert bare.tags == [] and bare.payload == b""


def test_the_feed_sends_its_lines_and_keeps_serving(feed):
    first = read_feed(feed.address)
    assert [line + b"\n" for line in first] == LINES
    verdicts = {name: [error == "" for _, _, error in check_all(first, check)] for name, (check, _) in CHECKS.items()}
    expected = [True, True, False, False, False, True, False, True]  # good records after every bad one
    assert verdicts == {"pydantic": expected, "marshmallow": expected}
    with socket.create_connection(feed.address, timeout=2):
        pass  # a client that vanishes without reading
    assert read_feed(feed.address) == first
    assert feed.stats.as_dict()["messages"] >= 2


def test_the_errors_name_the_fields_of_the_feed(feed):
    errors = [error.split(":")[0] for _, _, error in check_all(read_feed(feed.address), pydantic_check) if error]
    assert errors == ["time", "position.1", "id", "(the line)"]
    table = results_table(check_all(read_feed(feed.address), marshmallow_check))
    assert table.count("<tr>") == len(FEED) + 1 and table.count("refused") == 4


def test_stopped_feed_frees_its_port_and_the_client_says_so_in_one_line():
    server = ObservationFeed(name="test-feed-stop").start()
    address = server.address
    server.stop()
    server.stop()  # twice is fine
    assert not is_listening(address)
    with pytest.raises(ServiceError, match="nothing is listening"):
        read_feed(address, timeout=1)


def test_a_silent_server_times_out():
    with socket.create_server(("127.0.0.1", 0)) as silent:
        with pytest.raises(ServiceError, match="no reply .* within 0.3 s"):
            read_feed(silent.getsockname(), timeout=0.3)
