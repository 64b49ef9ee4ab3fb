"""Local endpoints that speak the clouds' HTTP APIs: moto (AWS S3 + SQS), a GCS emulator, Azurite (Azure Blob).

On a shared machine every account reaches 127.0.0.1, and these hold the learner's buckets, objects and queues: so
each start makes its own credentials (Python's `secrets`), as a cloud account has its own, and the endpoint admits
only requests that carry them. The child gets them in its environment, never in its arguments (any account reads
those), and `python -m helpers serve NAME` finds them in a file only its owner can read, in a 0700 folder.
"""
import base64
import os
import re
import secrets
import shutil
import string
import subprocess
import sys
import time
from pathlib import Path

from helpers.core.credentials import new_secret, write_private
from helpers.core.errors import ServiceError
from helpers.core.folders import private_folder
from helpers.core.ports import HOST
from helpers.core.process import ProcessService, end_process, first_line, spawn

ROOT = Path(__file__).resolve().parents[2]
AZURITE = ROOT / ".venv" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
AZURITE_MISSING = "Azurite is not installed: `make azurite` adds it (needs Node.js); the Azure cells are skipped."
AZURITE_ACCOUNT = "devstoreaccount1"  # the account name Azure's tools expect of a local emulator


class LocalEndpoint(ProcessService):
    """A cloud API served by a child program on 127.0.0.1 for its owner only: the child binds the port (0: any free
    one) and reports it; the credentials are made per start and passed in the child's environment."""

    kind = "cloud endpoint"
    prefix = "dis-cloud-"

    def __init__(self, name, port=0):
        super().__init__(name)
        self.port = port

    @property
    def url(self):
        """The endpoint's base URL, what an SDK is given instead of the cloud's."""
        return f"http://{HOST}:{self.address[1]}"

    @property
    def banner(self):
        """How to connect, for `python -m helpers serve NAME` (where the credentials are, not the credentials)."""
        return f"endpoint URL: {self.url}\n{self.how_to_connect()}"

    def how_to_connect(self):
        raise NotImplementedError

    def make_credentials(self):
        """Make this start's credentials; return {environment variable: value} for the child."""
        raise NotImplementedError

    def write_credentials(self):
        """Write this start's credentials into self.folder (0700), in a 0600 file a terminal's tools can use."""
        raise NotImplementedError

    def _start(self):
        self.folder = private_folder(self.prefix)
        try:
            env = dict(os.environ, **self.make_credentials())
            self.process = self.spawn(env)
            self.address = (HOST, self.reported_port(time.monotonic() + self.start_timeout))
            self.write_credentials()
        except BaseException:
            if getattr(self, "process", None) is not None:
                self.process.kill()
                end_process(self.process)
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def spawn(self, env):
        return spawn(self.command(), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)

    def reported_port(self, deadline):
        """The port the child bound, the first line it prints."""
        return int(first_line(self.process, self.name, deadline))

    def _stop(self):
        super()._stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def access_key_id():
    """A new AWS-style access key id: AKIA and 16 capitals or digits."""
    return "AKIA" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(16))


class MotoServer(LocalEndpoint):
    """AWS S3 and SQS from moto's server mode, in a child process whose request log is off; it admits only requests
    signed with this start's keys (Signature Version 4), and refuses moto's admin routes to everyone."""

    prefix = "dis-aws-"

    def command(self):
        return [sys.executable, "-m", "helpers.cloud.moto_child", str(self.port)]

    def make_credentials(self):
        self.keys = {"aws_access_key_id": access_key_id(), "aws_secret_access_key": new_secret(30)}
        return {"DIS_AWS_KEY_ID": self.keys["aws_access_key_id"], "DIS_AWS_SECRET": self.keys["aws_secret_access_key"]}

    def write_credentials(self):
        keys = "".join(f"{name} = {value}\n" for name, value in self.keys.items())
        self.credentials_file = write_private(self.folder / "credentials", f"[default]\n{keys}")

    def how_to_connect(self):
        return (f"keys made for this start, in a file only you can read: AWS_SHARED_CREDENTIALS_FILE="
                f"{self.credentials_file} aws --endpoint-url {self.url} s3 ls")


class GcsEmulator(LocalEndpoint):
    """Google Cloud Storage's JSON API from gcp-storage-emulator, in memory, behind this start's bearer token."""

    prefix = "dis-gcs-"

    def command(self):
        return [sys.executable, "-m", "helpers.cloud.gcs_child", str(self.port)]

    def make_credentials(self):
        self.token = new_secret(32)
        return {"DIS_GCS_TOKEN": self.token}

    def write_credentials(self):
        self.token_file = write_private(self.folder / "token", self.token)

    def how_to_connect(self):
        return (f"bearer token made for this start, in a file only you can read: curl -H \"Authorization: Bearer "
                f"$(cat {self.token_file})\" {self.url}/storage/v1/b?project=data-in-space")


def azurite_path():
    """The azurite-blob program `make azurite` installs, or None where it (or Node.js) is missing."""
    return str(AZURITE) if AZURITE.exists() and shutil.which("node") else None


class Azurite(LocalEndpoint):
    """Azure Blob Storage from Azurite (Node.js), its data in a private folder, no telemetry; its one account has a
    key made for this start (AZURITE_ACCOUNTS), so Azurite itself refuses the published development key."""

    prefix = "dis-azurite-"
    start_timeout = 20.0
    LISTENING = re.compile(rb"listens on https?://[^:\s]+:(\d+)")

    @property
    def url(self):
        return f"http://{HOST}:{self.address[1]}/{AZURITE_ACCOUNT}"

    def command(self):
        program = azurite_path()
        if program is None:
            raise ServiceError(AZURITE_MISSING)
        return [program, "--blobHost", HOST, "--blobPort", str(self.port), "--location", str(self.folder),
                "--silent", "--skipApiVersionCheck", "--disableTelemetry"]

    def make_credentials(self):
        self.key = base64.b64encode(secrets.token_bytes(64)).decode()  # the shape of an Azure account key
        return {"AZURITE_ACCOUNTS": f"{AZURITE_ACCOUNT}:{self.key}"}

    @property
    def connection_string(self):
        """The connection string Azure's SDKs and tools take (AZURE_STORAGE_CONNECTION_STRING)."""
        return (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={self.key};"
                f"BlobEndpoint={self.url};")

    def spawn(self, env):
        self.log = self.folder / "azurite.log"  # it says there which port it bound (a pipe nobody reads could fill)
        with open(self.log, "wb") as log:
            return spawn(self.command(), env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)

    def reported_port(self, deadline):
        while time.monotonic() < deadline:
            found = self.LISTENING.search(self.log.read_bytes())
            if found:
                return int(found.group(1))
            if self.process.poll() is not None:
                lines = self.log.read_bytes().decode(errors="replace").strip().splitlines()
                raise ServiceError(f"{self.name} exited at start: {lines[-1] if lines else 'no message'}")
            time.sleep(0.02)
        raise ServiceError(f"{self.name} did not become ready within {self.start_timeout:g} s")

    def write_credentials(self):
        self.connection_file = write_private(self.folder / "connection-string", self.connection_string)

    def how_to_connect(self):
        return (f"a key made for this start, in a connection string only you can read: AZURE_STORAGE_CONNECTION_STRING"
                f"=\"$(cat {self.connection_file})\" az storage container list")


def moto_server(name="aws", port=0):
    """An unstarted local AWS endpoint (S3 and SQS)."""
    return MotoServer(name, port)


def gcs_emulator(name="gcs", port=0):
    """An unstarted local Google Cloud Storage endpoint."""
    return GcsEmulator(name, port)


def azurite(name="azurite", port=0):
    """An unstarted local Azure Blob endpoint (needs `make azurite`)."""
    return Azurite(name, port)
