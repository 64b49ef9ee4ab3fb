"""protoc on the spot: the course's .proto files compiled into a private folder by grpc_tools, then imported."""
import importlib.util
import sys
from pathlib import Path

from helpers.core.errors import ServiceError
from helpers.core.process import run_to_end

DATA = Path(__file__).resolve().parents[2] / "data"


def protoc(protos, folder, include=DATA, grpc=False, timeout=30.0):
    """Run grpc_tools' protoc in a child process: modules and .pyi stubs for protos (gRPC's too if grpc) in folder."""
    argv = [sys.executable, "-m", "grpc_tools.protoc", f"-I{include}", f"--python_out={folder}",
            f"--pyi_out={folder}", *([f"--grpc_python_out={folder}"] if grpc else []), *protos]
    run_to_end(argv, "protoc", timeout)


def load_module(path, register=False):
    """Import one generated file by its path (register=True also puts it in sys.modules, for siblings that import it)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except TypeError as error:  # the descriptor pool already holds a different version of this file
        raise ServiceError(f"{path.stem}: this kernel already loaded another version of it; "
                           f"restart the kernel to load the new one ({error})") from None
    return module
