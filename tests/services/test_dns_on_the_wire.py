"""A DNS lookup on the wire shows DNS fields, not Raw bytes, though the course's server is not on port 53."""
import pytest
from scapy.layers.dns import DNS
from scapy.layers.inet import UDP

from helpers.packets.capture_check import capture_allowed
from helpers.packets.inspector import PacketInspector, field_spans
from helpers.services import dns_server
from helpers.services.widgets import inspect_packets, lookup_packets, read_as_dns

WWW = "www.crappytaxidermy.com"


def dns_fields(packet):
    """{field: value} of the DNS layer as the inspector shows it (it reads the packet again from its bytes)."""
    return {span.field: span.value for span in field_spans(packet) if span.layer == "DNS" and span.field}


def test_the_inspector_shows_the_fields_the_notebook_names(capsys):
    with dns_server(name="dns-wire-test") as server:
        packets = lookup_packets(server, WWW, "A")
        assert packets.live == capture_allowed(), capsys.readouterr().out
        query, answer = (dns_fields(packet) for packet in packets)  # packet 1 in the list is the query, 2 the answer
        assert query and answer, [packet.summary() for packet in packets]
        assert query["id"] == answer["id"] and (query["qr"], answer["qr"]) == ("0", "1")
        assert answer["aa"] == "1" and answer["rcode"] == "ok" and answer["ancount"] == "2"
        inspector = inspect_packets(packets, index=1)
        assert isinstance(inspector, PacketInspector) and inspector.packet is packets[1]
        assert any(title.startswith("DNS ") for title in inspector.tree.titles)
        inspector.list.value = 0  # a click on the query later still finds its DNS layer
        assert any(title.startswith("DNS ") for title in inspector.tree.titles)


@pytest.mark.skipif(not capture_allowed(), reason="live capture needs root or CAP_NET_RAW")
def test_the_port_is_read_as_dns_until_the_server_stops():
    before = list(UDP.payload_guess)
    with dns_server(name="dns-wire-stop") as server:
        port = server.address[1]
        lookup_packets(server, WWW)
        assert UDP.payload_guess[:2] == [({"sport": port}, DNS), ({"dport": port}, DNS)]
    assert UDP.payload_guess == before  # port 53's own binding is untouched


def test_read_as_dns_is_idempotent_and_undone():
    before = list(UDP.payload_guess)
    undo = read_as_dns(40_053)
    read_as_dns(40_053)
    assert UDP.payload_guess.count(({"dport": 40_053}, DNS)) == 1
    assert UDP.payload_guess[2:] == before
    undo()
    undo()  # twice is fine
    assert UDP.payload_guess == before
