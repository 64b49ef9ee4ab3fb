"""Protocol Buffers compiled at run time: a fresh private folder each time, importable, and nothing left after cleanup."""
import os
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import ServiceError
from helpers.serialization import OBSERVATION, compile_proto, to_dict
from helpers.serialization.proto import DATA, PREFIX, proto_text

ROOT = Path(__file__).resolve().parents[2]


def tree(folder):
    """Every path under folder (to see that compiling wrote nothing there)."""
    return sorted(str(p) for p in Path(folder).rglob("*"))


def test_compiles_into_a_fresh_private_folder_and_cleans_up(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data_before, modules_before = tree(DATA), set(sys.modules)
    first, second = compile_proto(), compile_proto()
    try:
        for compiled in (first, second):
            assert compiled.folder.parent == Path(tempfile.gettempdir())
            assert compiled.folder.name.startswith(f"{PREFIX}{os.getpid()}-")
            assert compiled.files == ["ser_record_pb2.py", "ser_record_pb2.pyi", "ser_shapes_pb2.py",
                                      "ser_shapes_pb2.pyi"]
            assert oct(compiled.folder.stat().st_mode & 0o777) == "0o700"  # only its owner can read or change it
        assert first.folder != second.folder
        assert first.modules["ser_record_pb2"] is not second.modules["ser_record_pb2"]  # imported anew
    finally:
        first.cleanup()
        second.cleanup()
    assert not first.folder.exists() and not second.folder.exists() and first.files == []
    assert tree(DATA) == data_before and tree(tmp_path) == []
    assert not any("ser_" in name for name in set(sys.modules) - modules_before)  # nothing found by name later
    assert not list(ROOT.rglob("ser_*_pb2.py"))


def test_the_classes_work_after_cleanup_and_round_trip(tmp_path):
    with compile_proto() as proto:
        cls = proto.Observation
        assert proto.message("PassBatch").DESCRIPTOR.full_name == "dis.serialization.PassBatch"
    message = cls(**OBSERVATION)
    assert to_dict(cls.FromString(message.SerializeToString())) == OBSERVATION
    assert message.SerializeToString()[:4] == b"\x08\xc8\xc7\x01"  # field 1, varint 25544
    with pytest.raises(KeyError, match="no message 'Nothing'"):
        proto.message("Nothing")


def test_a_broken_proto_is_one_clear_line_and_leaves_no_folder(tmp_path):
    (tmp_path / "ser_broken.proto").write_text('syntax = "proto3";\nmessage Broken { int64 id = ; }\n')
    before = set(Path(tempfile.gettempdir()).glob(f"{PREFIX}{os.getpid()}-*"))
    with pytest.raises(ServiceError) as caught:
        compile_proto(["ser_broken.proto"], include=tmp_path)
    message = str(caught.value)
    assert message.startswith("protoc failed: ") and "ser_broken.proto:2" in message and "\n" not in message
    assert set(Path(tempfile.gettempdir()).glob(f"{PREFIX}{os.getpid()}-*")) == before


def test_the_course_protos_declare_what_the_notebook_shows():
    text = proto_text("ser_record.proto")
    assert "message Observation {" in text and "google.protobuf.Timestamp time = 3;" in text
    assert "message ObservationBatch" in text and "message PassBatch" in proto_text("ser_shapes.proto")
