"""The docker SDK: a real daemon when one answers, else the exact request the real library built."""
import json
import time

import docker
import pytest
import requests

from helpers.cloud import find_daemon, would_send
from helpers.cloud.docker_wire import candidate_sockets, recording_client


def test_the_recorded_request_is_the_sdks_own_create_call():
    run = lambda d: d.containers.run("python:3.12-slim", ["python", "-c", "print(1)"], detach=True, name="hello")
    sent = would_send(run)
    assert len(sent) == 1  # the create failed, so the SDK never went on to start
    head, body = sent[0].split("\n\n", 1)
    lines = head.splitlines()
    assert lines[1] == f"POST /v{docker.constants.DEFAULT_DOCKER_API_VERSION}/containers/create?name=hello HTTP/1.1"
    assert f"User-Agent: docker-sdk-python/{docker.__version__}" in lines
    assert json.loads(body)["Image"] == "python:3.12-slim" and json.loads(body)["Cmd"] == ["python", "-c", "print(1)"]
    assert f"Content-Length: {len(body)}" in lines


def test_nothing_is_answered_by_the_recorder():
    client, recorder = recording_client()
    with pytest.raises((docker.errors.DockerException, requests.ConnectionError), match="no daemon answered"):
        client.ping()
    assert [r.path_url for r in recorder.requests] == [f"/v{docker.constants.DEFAULT_DOCKER_API_VERSION}/_ping"]


def test_looking_for_a_daemon_is_quick_and_says_where_it_looked(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert candidate_sockets()[0] == "unix:///nonexistent/docker.sock"
    start = time.monotonic()
    client, where = find_daemon(timeout=1)
    assert time.monotonic() - start < 10
    if client is None:
        assert where.startswith("tried /nonexistent/docker.sock")
    else:
        assert client.ping() is True
