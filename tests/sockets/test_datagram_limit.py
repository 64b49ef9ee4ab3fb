"""Notebook 01's biggest datagram: 65,507 bytes on Linux; where the OS allows less (macOS: 9,216), one line."""
import errno
import socket
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from helpers import stop_all
from helpers.sockets import too_long

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_sockets_udp_tcp.ipynb"


class SmallLimitSocket:
    """A UDP socket of a system whose limit is macOS's default: sendto of more than 9,216 bytes raises EMSGSIZE."""

    def __init__(self, *args):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def settimeout(self, seconds):
        pass

    def sendto(self, data, address):
        if len(data) > 9216:
            raise OSError(errno.EMSGSIZE, "Message too long")
        return len(data)

    def recvfrom(self, size):
        raise AssertionError("nothing was sent, so nothing can come back")


def run_cell(cell_id, **replace):
    """Run the notebook's imports cell, then the cell cell_id, with some names replaced."""
    cells = {c.get("id"): c for c in nbformat.read(NOTEBOOK, as_version=4).cells}
    namespace = {}
    exec(compile(cells["c01"].source, "imports", "exec"), namespace)
    namespace.update(replace)
    exec(compile(cells[cell_id].source, cell_id, "exec"), namespace)
    return namespace


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def test_the_biggest_datagram_cell_explains_emsgsize_in_one_line(capsys):
    small = SimpleNamespace(socket=SmallLimitSocket, AF_INET=socket.AF_INET, SOCK_DGRAM=socket.SOCK_DGRAM)
    run_cell("c11", socket=small, serve=lambda name: SimpleNamespace(address=("127.0.0.1", 9)))
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and "EMSGSIZE" in printed[0] and "9,216" in printed[0], printed


def test_on_linux_the_biggest_datagram_comes_back_whole(capsys):
    run_cell("c11")
    assert capsys.readouterr().out == "65507 bytes came back\n"


def test_too_long_raises_any_other_error_again():
    with pytest.raises(ConnectionRefusedError):
        too_long(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"))
