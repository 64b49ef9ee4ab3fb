"""Packet inspector logic: which bytes belong to which layer and field, and what the widget lights up."""
import re

import pytest
from scapy.all import DNS, DNSQR, IP, TCP, UDP, Ether, raw

from helpers.packets.capture import recorded
from helpers.packets.inspector import byte_range, field_spans, hex_html, inspect_packets
from helpers.packets.sequence import arrows

FRAME = Ether(raw(Ether() / IP(src="10.1.2.3", dst="10.4.5.6") / TCP(sport=1234, dport=80, flags="SA")
                  / b"payload"))


def span(packet, layer, field=""):
    return next(s for s in field_spans(packet) if s.layer == layer and s.field == field)


def test_ip_addresses_sit_12_and_16_bytes_into_the_ip_header():
    assert span(FRAME, "IP", "src").in_layer == (12, 16)
    assert span(FRAME, "IP", "dst").in_layer == (16, 20)
    assert byte_range(FRAME, "IP", "src") == (26, 30)  # after the 14-byte Ethernet header
    assert raw(FRAME)[26:30] == bytes([10, 1, 2, 3])


def test_without_ethernet_the_ip_header_starts_at_zero():
    packet = IP(src="10.1.2.3", dst="10.4.5.6") / UDP(sport=5, dport=53)
    assert byte_range(packet, "IP", "src") == (12, 16)
    assert byte_range(packet, "UDP", "dport") == (22, 24)
    assert byte_range(packet, UDP) == (20, 28)


def test_known_offsets_of_ethernet_and_tcp():
    assert byte_range(FRAME, "Ether", "type") == (12, 14)
    assert byte_range(FRAME, "TCP", "sport") == (34, 36)
    assert byte_range(FRAME, "TCP", "seq") == (38, 42)
    assert byte_range(FRAME, "Raw", "load") == (54, 61)


def test_fields_smaller_than_a_byte_share_it():
    version, ihl = span(FRAME, "IP", "version"), span(FRAME, "IP", "ihl")
    assert (version.start, version.end, version.bits) == (14, 15, (0, 4))
    assert (ihl.start, ihl.end, ihl.bits) == (14, 15, (4, 8))
    flags = span(FRAME, "TCP", "flags")
    assert flags.in_layer == (12, 14) and flags.bits == (103, 112) and flags.value == "SA"


def test_layers_tile_the_packet():
    for packet in [FRAME, *recorded("http_exchange")]:
        layers = [s for s in field_spans(packet) if not s.field]
        assert layers[0].start == 0 and layers[-1].end == len(raw(packet))
        assert all(a.end == b.start for a, b in zip(layers, layers[1:]))


def test_every_whole_byte_field_holds_its_own_encoding():
    for packet in [FRAME, *recorded("tcp_exchange")]:
        packet = type(packet)(raw(packet))
        data, layers = raw(packet), {}
        layer = packet
        while layer:
            layers.setdefault(type(layer).__name__, layer)
            layer = layer.payload
        for s in field_spans(packet):
            if s.field and s.bits is None:
                layer = layers[s.layer]
                field = layer.get_field(s.field)
                assert data[s.start:s.end] == field.addfield(layer, b"", layer.getfieldval(s.field)), s


def test_dns_question_is_the_length_prefixed_name():
    query = IP(raw(IP(dst="127.0.0.1") / UDP(dport=53) / DNS(rd=1, qd=DNSQR(qname="example.com"))))
    start, end = byte_range(query, "DNS", "qd")
    assert (start, end) == (40, 57)
    assert raw(query)[start:end] == b"\x07example\x03com\x00\x00\x01\x00\x01"


def test_unknown_field_is_a_clear_error():
    with pytest.raises(KeyError, match="no IP.colour"):
        byte_range(FRAME, "IP", "colour")


def lit_bytes(page):
    cells = re.findall(r"<span style='background:#ffd33d;font-weight:bold'>([^<]*)</span>", page)
    return cells[:len(cells) // 2]  # hex cells first in each row, then the text column


def test_hex_dump_lights_exactly_the_range():
    page = hex_html(bytes(range(40)), 18, 22)
    assert lit_bytes(page) == ["12", "13", "14", "15"]
    assert page.count("background:#ffd33d") == 8  # 4 hex cells + 4 text cells


def test_widget_selects_packets_layers_and_fields():
    trace = recorded("tcp_exchange")
    inspector = inspect_packets(trace)
    assert "dis-inspector" in inspector._dom_classes
    assert "RECORDED trace data/tcp_exchange.pcap" in inspector.children[0].value
    assert len(inspector.list.options) == 10
    ip_fields = inspector.tree.children[1]
    ip_fields.value = "src"
    assert inspector.highlight == (26, 30)
    assert lit_bytes(inspector.bytes.value) == ["7f", "00", "00", "01"]
    assert "bytes 26-29 of the packet (12-15 of the IP header)" in inspector.where.value
    inspector.tree.children[2].value = "flags"  # picking a TCP field clears the IP one
    assert ip_fields.value is None and inspector.highlight == (46, 48)


def test_widget_shows_the_data_of_a_chosen_packet():
    trace = recorded("tcp_exchange")
    inspector = inspect_packets(trace)
    inspector.list.value = 3
    assert [t.split()[0] for t in inspector.tree.titles] == ["Ether", "IP", "TCP", "Raw"]
    inspector.tree.selected_index = 3
    start, end = inspector.highlight
    assert raw(trace[3])[start:end] == b"Hello, space!"


def test_widget_takes_packets_built_by_hand():
    inspector = inspect_packets([IP() / TCP(), IP() / UDP()], index=1)
    assert "built in this notebook" in inspector.children[0].value
    assert inspector.tree.titles[1].startswith("UDP")


def test_the_chosen_layer_and_field_stay_open_when_another_packet_is_picked():
    inspector = inspect_packets(recorded("tcp_exchange"))
    inspector.tree.selected_index = 2  # TCP
    inspector.tree.children[2].value = "flags"
    inspector.list.value = 1  # the SYN ACK
    assert inspector.tree.selected_index == 2 and inspector.tree.children[2].value == "flags"
    assert "<b>TCP.flags</b>" in inspector.where.value and "SYN ACK" in inspector.where.value


def test_tcp_flags_are_named_bits():
    inspector = inspect_packets(recorded("tcp_exchange"), index=1)
    inspector.select("TCP", "flags")
    assert "SYN ACK (bits CWR 0 ECE 0 URG 0 ACK 1 PSH 0 RST 0 SYN 1 FIN 0)" in inspector.where.value


def test_sequence_numbers_say_how_the_diagram_counts_them():
    shown = recorded("tcp_exchange")
    inspector = inspect_packets(shown, index=3)  # the client's data
    steps = arrows(shown)
    inspector.select("TCP", "seq")
    assert f"counts from that side&#x27;s SYN: {steps[3].seq})" in inspector.where.value
    inspector.select("TCP", "ack")
    assert f"counts from that side&#x27;s SYN: {steps[3].ack})" in inspector.where.value
    assert "absolute, as on the wire" in inspector.where.value
