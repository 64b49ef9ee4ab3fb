"""Protocol Buffers on the spot: protoc compiles the course's .proto files into a private folder, Python imports them."""
import atexit
import shutil
from datetime import timezone
from pathlib import Path

from helpers.core.folders import private_folder
from helpers.core.protoc import DATA, load_module, protoc
PROTOS = ("ser_record.proto", "ser_shapes.proto")
PREFIX = "dis-proto-"


class CompiledProto:
    """The Python modules protoc wrote for some .proto files, and the private folder they live in until cleanup()."""

    def __init__(self, folder, modules):
        self.folder = folder
        self.modules = modules  # {"ser_record_pb2": module, ...}
        self.messages = {name: getattr(module, name) for module in modules.values()
                         for name in module.DESCRIPTOR.message_types_by_name}
        for name, cls in self.messages.items():  # proto.Observation, as in the generated module
            setattr(self, name, cls)

    @property
    def files(self):
        """The names of the files protoc wrote (empty after cleanup())."""
        return sorted(p.name for p in self.folder.glob("*") if p.is_file()) if self.folder.exists() else []

    def message(self, name):
        """The message class called name (e.g. "Observation"), whichever file declares it."""
        if name not in self.messages:
            raise KeyError(f"no message {name!r} in {', '.join(self.modules)}")
        return self.messages[name]

    def source(self, name="ser_record_pb2.pyi"):
        """The text of one generated file (the .pyi stub reads best)."""
        return (self.folder / name).read_text()

    def cleanup(self):
        """Delete the folder and everything protoc wrote (the imported classes keep working)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def compile_proto(protos=PROTOS, include=DATA):
    """Compile protos (names in include, data/ by default) into a new private folder and import them."""
    folder = private_folder(PREFIX)
    atexit.register(shutil.rmtree, folder, True)
    try:
        protoc(protos, folder, include)
        modules = {}
        for proto in protos:
            path = folder / (Path(proto).stem + "_pb2.py")
            modules[path.stem] = load_module(path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return CompiledProto(folder, modules)


def to_dict(message):
    """A message as plain Python: nested messages become dicts, repeated fields lists, Timestamps datetimes."""
    return {field.name: _value(field, getattr(message, field.name)) for field in message.DESCRIPTOR.fields}


def _value(field, value):
    if field.is_repeated:
        return [_one(field, v) for v in value]
    return _one(field, value)


def _one(field, value):
    if field.message_type is None:
        return value
    if field.message_type.full_name == "google.protobuf.Timestamp":
        return value.ToDatetime(tzinfo=timezone.utc)
    return to_dict(value)


def proto_text(name="ser_record.proto", include=DATA):
    """The text of one of the course's .proto files."""
    return (Path(include) / name).read_text()
