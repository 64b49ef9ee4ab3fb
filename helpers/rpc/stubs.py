"""gRPC's code generation on the spot: protoc turns data/rpc_double.proto into Python modules in a private folder."""
import atexit
import functools
import os
import shutil
from pathlib import Path

# Before gRPC starts: the course's children are fork + exec, so gRPC's fork handlers have nothing to do (left on,
# they print a warning from C into whichever cell runs), and only its errors are logged
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

from helpers.core.folders import private_folder
from helpers.core.protoc import load_module, protoc

PROTO = Path(__file__).resolve().parents[2] / "data" / "rpc_double.proto"


class Stubs:
    """What protoc wrote: the message classes, the client stub, the server's registration function, and where."""

    def __init__(self, folder, messages, services):
        self.folder, self.messages, self.services = folder, messages, services
        self.Number, self.CountdownRequest = messages.Number, messages.CountdownRequest
        self.DoublerStub = services.DoublerStub
        self.add_DoublerServicer_to_server = services.add_DoublerServicer_to_server

    @property
    def files(self):
        """The files protoc wrote."""
        return sorted(p.name for p in self.folder.glob("*.py*"))

    def source(self, name="rpc_double_pb2_grpc.py"):
        """The text of one generated file."""
        return (self.folder / name).read_text()


@functools.cache
def grpc_stubs(proto=PROTO):
    """Run protoc on proto once per process and import what it wrote (the folder is removed at exit)."""
    folder = private_folder("dis-rpc-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    protoc([proto.name], folder, proto.parent, grpc=True)
    messages = load_module(folder / f"{proto.stem}_pb2.py", register=True)  # the _grpc module imports it by name
    return Stubs(folder, messages, load_module(folder / f"{proto.stem}_pb2_grpc.py", register=True))
