"""The docker SDK against a real daemon when one answers; otherwise the exact request it would have sent."""
import os

import docker
import requests
from docker.constants import DEFAULT_DOCKER_API_VERSION


def candidate_sockets():
    """Where a Docker-compatible API may listen: DOCKER_HOST, Docker's socket, rootless Docker's, Podman's."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}")
    found = [os.environ["DOCKER_HOST"]] if os.environ.get("DOCKER_HOST") else []
    return found + ["unix:///var/run/docker.sock", f"unix://{runtime}/docker.sock",
                    f"unix://{runtime}/podman/podman.sock"]


def find_daemon(timeout=2.0):
    """(a DockerClient, its address) for the first daemon that answers a ping within timeout, or (None, why)."""
    for url in candidate_sockets():
        client = docker.DockerClient(base_url=url, version=DEFAULT_DOCKER_API_VERSION, timeout=timeout)
        try:
            client.ping()
            return client, url
        except (docker.errors.DockerException, requests.RequestException):
            client.close()
    return None, "tried " + ", ".join(url.removeprefix("unix://") for url in candidate_sockets())


class Recorder(requests.adapters.BaseAdapter):
    """A transport that keeps each request the SDK prepares and sends nothing: no daemon answers it."""

    def __init__(self):
        super().__init__()
        self.requests = []

    def send(self, request, **kwargs):
        self.requests.append(request)
        raise requests.ConnectionError("no daemon answered: the request was recorded, not sent")

    def close(self):
        pass


def recording_client(base_url="unix:///var/run/docker.sock"):
    """(a real DockerClient whose transport records instead of sending, its Recorder)."""
    client = docker.DockerClient(base_url=base_url, version=DEFAULT_DOCKER_API_VERSION, timeout=2)
    recorder = Recorder()
    client.api.mount("http+docker://", recorder)  # the SDK's requests session: every call goes through here
    return client, recorder


def as_http(request, socket_path="/var/run/docker.sock"):
    """A prepared request as the HTTP/1.1 text that would travel over the daemon's Unix socket."""
    path = request.url.split("://", 1)[1].split("/", 1)[1]
    lines = [f"{request.method} /{path} HTTP/1.1", "Host: localhost"]
    lines += [f"{key}: {value}" for key, value in request.headers.items()]
    body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
    return f"(over the Unix socket {socket_path})\n" + "\n".join(lines) + "\n\n" + body


def would_send(call):
    """Run call(client) on a recording client; return the requests the real SDK built, as HTTP text."""
    client, recorder = recording_client()
    try:
        call(client)
    except (docker.errors.DockerException, requests.RequestException):
        pass  # expected: the recorder answered nothing
    finally:
        client.close()
    return [as_http(r) for r in recorder.requests]
