"""The same round trip with google-cloud-storage (gcp-storage-emulator) and azure-storage-blob (Azurite)."""
import os
from pathlib import Path

import pytest

from helpers.cloud import (
    AZURITE_MISSING,
    azure_client,
    azurite,
    azurite_path,
    gcs_client,
    gcs_emulator,
)
from helpers.core.errors import ServiceError

DATA = os.urandom(2 * 1024 * 1024)


def test_gcs_round_trip_and_listing():
    with gcs_emulator(name="test-gcs") as gcs:
        storage = gcs_client(gcs)
        bucket = storage.create_bucket("round-trip", timeout=5)
        bucket.blob("a/b.bin").upload_from_string(DATA, timeout=30)
        assert bucket.blob("a/b.bin").download_as_bytes(timeout=30) == DATA
        assert [b.name for b in storage.list_blobs("round-trip", timeout=5)] == ["a/b.bin"]


def azurite_or_skip():
    """Skip where `make azurite` has not run; under CI, which runs it, a missing Azurite is a failure instead."""
    if azurite_path() is None:
        if os.environ.get("CI"):  # .ci/run installs Azurite, so there its absence is a broken setup, not a choice
            pytest.fail(f"under CI Azurite must be present: {AZURITE_MISSING}")
        pytest.skip(AZURITE_MISSING)


def test_azure_blob_round_trip_on_azurite():
    azurite_or_skip()
    with azurite(name="test-azurite") as blobs:
        box = azure_client(blobs).create_container("round-trip")
        box.upload_blob("a/b.bin", DATA)
        assert box.download_blob("a/b.bin").readall() == DATA
        assert [b.name for b in box.list_blobs()] == ["a/b.bin"]
    assert not blobs.folder.exists()  # its data folder goes with it


def test_without_azurite_the_error_is_the_one_line(monkeypatch):
    monkeypatch.setattr("helpers.cloud.endpoints.AZURITE", Path("/nonexistent/azurite-blob"))
    assert azurite_path() is None
    with pytest.raises(ServiceError, match="make azurite") as caught:
        azurite(name="test-azurite-missing").start()
    assert "\n" not in str(caught.value)
