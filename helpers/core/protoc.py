"""protoc on the spot: the course's .proto files compiled into a private folder by grpc_tools, then imported."""
import importlib.util
import subprocess
import sys
from pathlib import Path

from helpers.core.errors import ServiceError
from helpers.core.process import end_process, spawn

DATA = Path(__file__).resolve().parents[2] / "data"


def protoc(protos, folder, include=DATA, grpc=False, timeout=30.0):
    """Run grpc_tools' protoc in a child process: modules and .pyi stubs for protos (gRPC's too if grpc) in folder."""
    argv = [sys.executable, "-m", "grpc_tools.protoc", f"-I{include}", f"--python_out={folder}",
            f"--pyi_out={folder}", *([f"--grpc_python_out={folder}"] if grpc else []), *protos]
    proc = spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        end_process(proc)
        raise ServiceError(f"protoc did not finish within {timeout:g} s") from None
    if proc.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        raise ServiceError(f"protoc failed: {lines[-1] if lines else f'exit status {proc.returncode}'}")


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
