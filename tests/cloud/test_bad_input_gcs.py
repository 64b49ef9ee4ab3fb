"""Bad clients of the Google Cloud Storage emulator: after them, the next good client is still served."""
import socket
from contextlib import ExitStack

import httpx
import pytest

from helpers.cloud import gcs_client, gcs_emulator


@pytest.fixture(scope="module")
def gcs():
    with gcs_emulator(name="test-gcs-bad-input") as server:
        yield server


def good_client_served(gcs, timeout=5.0):
    reply = httpx.get(f"{gcs.url}/storage/v1/b", params={"project": "data-in-space"},
                      headers={"Authorization": f"Bearer {gcs.token}"}, timeout=timeout)
    return reply.status_code == 200


def test_five_idle_connections_do_not_block_a_good_client(gcs):
    with ExitStack() as idle:
        for _ in range(5):
            idle.enter_context(socket.create_connection(gcs.address, timeout=5))  # connect, send nothing
        assert good_client_served(gcs)


def test_a_half_sent_request_does_not_block_a_good_client(gcs):
    with socket.create_connection(gcs.address, timeout=5) as slow:
        slow.sendall(b"POST /storage/v1/b?project=x HTTP/1.1\r\nHost: x\r\nAuthori")  # and then nothing
        assert good_client_served(gcs)


def test_the_sdk_still_round_trips_while_a_connection_idles(gcs):
    with socket.create_connection(gcs.address, timeout=5):
        bucket = gcs_client(gcs).create_bucket("after-idle", timeout=5)
        bucket.blob("a.txt").upload_from_string(b"still here", timeout=5)
        assert bucket.blob("a.txt").download_as_bytes(timeout=5) == b"still here"
