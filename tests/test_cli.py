"""The same servers from a terminal: `python -m helpers serve NAME`."""
import re
import signal
import subprocess
import sys

import pytest

from helpers import ask
from helpers.ports import is_listening


def test_list_names_every_server():
    out = subprocess.run([sys.executable, "-m", "helpers", "serve", "--list"], capture_output=True, text=True,
                         check=True, timeout=30).stdout
    for name in ("echo", "udp-echo", "redis"):
        assert re.search(rf"^{name}\s", out, re.M)


@pytest.mark.parametrize("name", ["echo", "redis"])
def test_serve_prints_address_and_stops_on_ctrl_c(name):
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "serve", name], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        host, port = re.search(r"listening on (127\.0\.0\.1):(\d+)", line).groups()
        address = (host, int(port))
        assert is_listening(address)
        if name == "echo":
            assert ask(address, b"from a terminal") == b"from a terminal"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "stopped" in proc.stdout.read()
        assert not is_listening(address)
    finally:
        proc.kill()
        proc.stdout.close()
