"""Packets with scapy (notebook 03): capture or recorded traces, the inspector, sequence diagrams."""
from helpers.packets.capture import capture_allowed, capture_http, capture_tcp, capture_udp
from helpers.packets.inspector import byte_range, inspect_packets
from helpers.packets.sequence import arrows, draw_sequences

__all__ = ["arrows", "byte_range", "capture_allowed", "capture_http", "capture_tcp", "capture_udp",
           "draw_sequences", "inspect_packets"]
