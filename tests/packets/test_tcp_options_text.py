"""Notebook 03's words on TCP options agree with the course's recorded traces: 20 bytes on SYN and SYN-ACK, then 12."""
import re
from pathlib import Path

import nbformat
import pytest
from scapy.layers.inet import TCP

from helpers.packets.capture import recorded

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03_packets_scapy.ipynb"


def text():
    """The notebook's markdown, with every run of white space made one space."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    return " ".join(" ".join(c.source for c in cells if c.cell_type == "markdown").split())


def option_bytes(packet):
    return packet[TCP].dataofs * 4 - 20


@pytest.mark.parametrize("trace", ["tcp_exchange", "http_exchange"])
def test_the_option_bytes_the_text_names_are_those_of_the_trace(trace):
    said = text()
    handshake = re.search(r"(\d+) bytes on the SYN and the SYN-ACK", said)
    later = re.search(r"(\d+) bytes on every later segment", said)
    assert handshake and later, "03 must say how many bytes of options SYN, SYN-ACK and the later segments carry"
    packets = recorded(trace)
    opening = [p for p in packets if "S" in str(p[TCP].flags)]
    assert len(opening) == 2
    assert {option_bytes(p) for p in opening} == {int(handshake.group(1))}
    assert {option_bytes(p) for p in packets if p not in opening} == {int(later.group(1))}


def test_every_option_of_the_syn_is_named_in_the_text():
    said = text()
    syn = recorded("tcp_exchange")[0]
    assert all(f"`{name}`" in said for name, _ in syn[TCP].options)
