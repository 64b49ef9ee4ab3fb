"""Local endpoints that speak the clouds' HTTP APIs: moto (AWS S3 + SQS), a GCS emulator, Azurite (Azure Blob)."""
import shutil
import sys
from pathlib import Path

from helpers.core.errors import ServiceError
from helpers.core.folders import private_folder
from helpers.core.ports import HOST, free_port, is_listening
from helpers.core.process import ProcessService

ROOT = Path(__file__).resolve().parents[2]
AZURITE = ROOT / ".venv" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
AZURITE_MISSING = "Azurite is not installed: `make azurite` adds it (needs Node.js); the Azure cells are skipped."


class LocalEndpoint(ProcessService):
    """A cloud API served by a child program on 127.0.0.1 at a port chosen for it; ready when it accepts."""

    kind = "cloud endpoint"

    def __init__(self, name, port=0):
        super().__init__(name)
        self.port = port

    @property
    def url(self):
        """The endpoint's base URL, what an SDK is given instead of the cloud's."""
        return f"http://{HOST}:{self.address[1]}"

    @property
    def banner(self):
        """One line for `python -m helpers serve NAME`."""
        return f"endpoint URL: {self.url}"

    def _start(self):
        self.address = (HOST, self.port or free_port())
        super()._start()

    def ready(self):
        return is_listening(self.address)


class MotoServer(LocalEndpoint):
    """AWS S3 and SQS from moto's server mode, in a child process whose request log is off."""

    def command(self):
        return [sys.executable, "-m", "helpers.cloud.moto_child", str(self.address[1])]


class GcsEmulator(LocalEndpoint):
    """Google Cloud Storage's JSON API from gcp-storage-emulator, in memory."""

    def command(self):
        return [sys.executable, "-m", "gcp_storage_emulator", "start", "-H", HOST, "--port", str(self.address[1]),
                "--quiet", "--in-memory"]


def azurite_path():
    """The azurite-blob program `make azurite` installs, or None where it (or Node.js) is missing."""
    return str(AZURITE) if AZURITE.exists() and shutil.which("node") else None


class Azurite(LocalEndpoint):
    """Azure Blob Storage from Azurite (Node.js), its data in a private folder, no telemetry."""

    start_timeout = 20.0

    @property
    def url(self):
        return f"http://{HOST}:{self.address[1]}/devstoreaccount1"

    def command(self):
        program = azurite_path()
        if program is None:
            raise ServiceError(AZURITE_MISSING)
        self.folder = private_folder("dis-azurite-")
        return [program, "--blobHost", HOST, "--blobPort", str(self.address[1]), "--location", str(self.folder),
                "--silent", "--skipApiVersionCheck", "--disableTelemetry"]

    def _stop(self):
        super()._stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def moto_server(name="aws", port=0):
    """An unstarted local AWS endpoint (S3 and SQS)."""
    return MotoServer(name, port)


def gcs_emulator(name="gcs", port=0):
    """An unstarted local Google Cloud Storage endpoint."""
    return GcsEmulator(name, port)


def azurite(name="azurite", port=0):
    """An unstarted local Azure Blob endpoint (needs `make azurite`)."""
    return Azurite(name, port)
