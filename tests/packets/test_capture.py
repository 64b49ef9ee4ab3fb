"""The capture helper: exactly one exchange live, or its recorded trace, clearly labelled, where capture is not allowed."""
import os
import threading

import pytest
from scapy.all import IP, TCP, UDP, raw, rdpcap

from helpers.packets import capture as cap
from helpers import serve, stop_all
from helpers.packets.capture import (MESSAGE, TRACES, capture_http, capture_tcp, capture_udp, complete, recorded,
                             sniff_exchange)
from helpers.packets.capture_check import FORCE_OFF, capture_allowed
from helpers.core.client import ask

# CI runs as root, so there the live tests must run (and fail if capture is broken), never skip
live_only = pytest.mark.skipif(not capture_allowed() and os.environ.get("CI") != "true",
                               reason="live capture needs root or CAP_NET_RAW")


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def no_duplicates(packets):
    return len({raw(p[IP]) for p in packets}) == len(packets)


def flags(packets):
    return [str(p[TCP].flags) for p in packets]


def one_exchange(packets):
    """True for one whole echo exchange: SYN, SYN-ACK, two data segments, two FINs, and 4 (3 to 5) pure ACKs.

    Usually 10 packets; on a loaded machine an ACK may go alone instead of riding on a later segment, or the
    other way round, which changes only the number of pure ACKs.
    """
    shown = flags(packets)
    others = [f for f in shown if f != "A"]
    return sorted(others) == sorted(["S", "SA", "PA", "PA", "FA", "FA"]) and 3 <= shown.count("A") <= 5


@live_only
def test_tcp_exchange_is_captured_exactly():
    echo = serve("echo")
    shown = capture_tcp(echo.address, MESSAGE)
    port = echo.address[1]
    assert shown.live and shown.label == "LIVE capture on lo" and shown.reply == MESSAGE
    assert one_exchange(shown.packets) and no_duplicates(shown.packets), flags(shown)
    assert all(port in (p[TCP].sport, p[TCP].dport) for p in shown)
    assert flags(shown)[:3] == ["S", "SA", "A"] and flags(shown).count("FA") == 2
    assert [bytes(p[TCP].payload) for p in shown if len(p[TCP].payload)] == [MESSAGE, MESSAGE]
    assert complete(shown.packets, port)


@live_only
def test_the_syn_is_never_missed():
    echo = serve("echo")
    for run in range(20):
        shown = capture_tcp(echo.address, MESSAGE)
        assert flags(shown)[0] == "S", f"run {run}: the capture started late: {flags(shown)}"
        assert one_exchange(shown.packets) and no_duplicates(shown.packets), f"run {run}: {flags(shown)}"


@live_only
def test_udp_exchange_is_two_datagrams():
    server = serve("udp-echo")
    shown = capture_udp(server.address, MESSAGE)
    assert shown.live and shown.reply == MESSAGE and len(shown) == 2
    request, reply = shown.packets
    assert request[UDP].dport == reply[UDP].sport == server.address[1]
    assert bytes(request[UDP].payload) == bytes(reply[UDP].payload) == MESSAGE


@live_only
def test_http_exchange_is_one_whole_connection():
    web = serve("http")
    shown = capture_http(web.address)
    assert shown.live and shown.reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert flags(shown)[0] == "S" and complete(shown.packets, web.address[1]) and no_duplicates(shown.packets)
    payloads = [bytes(p[TCP].payload) for p in shown if len(p[TCP].payload)]
    assert payloads[0].startswith(b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1:") and payloads[1] == shown.reply


@live_only
def test_only_the_exchange_is_kept_not_other_traffic():
    echo, other = serve("echo"), serve("echo", as_name="other-echo")
    noise = threading.Thread(target=lambda: [ask(other.address, b"noise") for _ in range(20)])
    noise.start()
    shown = capture_tcp(echo.address, MESSAGE)
    noise.join()
    assert one_exchange(shown.packets) and all(echo.address[1] in (p[TCP].sport, p[TCP].dport) for p in shown)


def test_forced_off_shows_the_recorded_trace_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv(FORCE_OFF, "off")
    echo = serve("echo")
    shown = capture_tcp(echo.address, b"still a real exchange")
    assert not shown.live and shown.label == "RECORDED trace data/tcp_exchange.pcap"
    assert shown.reply == b"still a real exchange"  # the exchange itself really ran
    assert [raw(p) for p in shown] == [raw(p) for p in rdpcap(str(TRACES / "tcp_exchange.pcap"))]
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"live capture is switched off ({FORCE_OFF}=off): showing the recorded trace "
                       "data/tcp_exchange.pcap of the same exchange"]
    assert "RECORDED" in shown._repr_html_() and "LIVE" not in shown._repr_html_()


def test_forced_off_udp_and_http_use_their_own_traces(monkeypatch):
    monkeypatch.setenv(FORCE_OFF, "off")
    assert capture_udp(serve("udp-echo").address).source == "data/udp_exchange.pcap"
    web = capture_http(serve("http").address)
    assert web.source == "data/http_exchange.pcap" and web.reply.startswith(b"HTTP/1.1 200")


class SnifferWithoutRights:
    """Stands in for scapy's AsyncSniffer as it behaves without root: it starts, then fails at stop()."""

    def __init__(self, started_callback, **options):
        self.started_callback = started_callback

    def start(self):
        self.started_callback()

    def stop(self):
        raise PermissionError(1, "Operation not permitted")


def test_permission_error_at_stop_falls_back_without_running_twice(monkeypatch, capsys):
    monkeypatch.delenv(FORCE_OFF, raising=False)
    monkeypatch.setattr(cap, "capture_allowed", lambda: True)
    monkeypatch.setattr(cap, "AsyncSniffer", SnifferWithoutRights)
    echo = serve("echo")
    shown = capture_tcp(echo.address, MESSAGE)
    assert not shown.live and shown.source == "data/tcp_exchange.pcap" and shown.reply == MESSAGE
    assert echo.stats.as_dict()["messages"] == 1
    assert "not allowed here" in capsys.readouterr().out


class SnifferThatCannotOpen:
    """Stands in for AsyncSniffer when opening the raw socket fails: its thread dies at once."""

    def __init__(self, **options):
        self.exception, self.thread = PermissionError(1, "Operation not permitted"), threading.Thread()

    def start(self):
        pass

    def stop(self):
        raise AssertionError("a sniffer that never started is not stopped")


def test_a_sniffer_that_cannot_start_raises_before_the_exchange(monkeypatch):
    monkeypatch.setattr(cap, "AsyncSniffer", SnifferThatCannotOpen)
    ran = []
    with pytest.raises(PermissionError):
        sniff_exchange(lambda: ran.append(1), 9, "tcp")
    assert ran == []


@pytest.mark.parametrize("name, count, proto", [("udp_exchange", 2, "udp"), ("tcp_exchange", 10, "tcp"),
                                                ("http_exchange", 10, "tcp")])
def test_recorded_traces_are_whole_small_exchanges(name, count, proto):
    path = TRACES / f"{name}.pcap"
    assert path.stat().st_size < 4000
    shown = recorded(name)
    assert not shown.live and len(shown) == count and no_duplicates(shown.packets)
    assert complete(shown.packets, shown.port, proto) and shown.proto == proto
    layer = UDP if proto == "udp" else TCP
    assert shown.packets[0][layer].dport == shown.port
    if name != "http_exchange":
        assert MESSAGE in raw(shown.packets[0] if proto == "udp" else shown.packets[3])


def test_a_missing_trace_says_how_to_make_it():
    with pytest.raises(FileNotFoundError, match="make traces"):
        recorded("no_such_exchange")


@live_only
def test_record_traces_writes_complete_pcaps(tmp_path):
    from helpers.packets.record_traces import EXCHANGES, record

    for name in EXCHANGES:
        path, count = record(name, folder=tmp_path)
        packets = rdpcap(str(path))
        assert len(packets) == count and no_duplicates(packets)
        assert segments(packets) == segments(recorded(name).packets), name  # the same exchange as the one shipped


def segments(packets):
    """What an exchange says, without the pure ACKs a loaded machine may add or fold into others: for each packet
    that carries data, opens, closes or resets, its SYN/FIN/RST bits and payload size (sorted: the two sides'
    closing packets may come in either order)."""
    said = []
    for p in packets:
        if TCP in p and (len(p[TCP].payload) or int(p[TCP].flags) & 0x07):
            said.append((int(p[TCP].flags) & 0x07, len(p[TCP].payload)))
        elif UDP in p:
            said.append(("udp", len(p[UDP].payload)))
    return sorted(said, key=str)


def payload_bytes(packets, port, side):
    """Distinct payload bytes one side sent, by sequence number (retransmitted bytes count once)."""
    ranges = {(p[TCP].seq, p[TCP].seq + len(p[TCP].payload)) for p in packets
              if (p[TCP].sport == port) == (side == "server") and len(p[TCP].payload)}
    return cap.covered(ranges)


@live_only
@pytest.mark.parametrize("size", [100_000, 1_000_000, 10_000_000])
def test_big_transfers_are_captured_whole_or_flagged(size):
    echo = serve("echo")
    for run in range(10):
        shown = capture_tcp(echo.address, b"x" * size, timeout=30)
        assert shown.reply == b"x" * size
        if shown.whole:  # every byte accounted for by sequence numbers, the end included
            for side in ("client", "server"):
                assert payload_bytes(shown, echo.address[1], side) == size, f"run {run}: {side} bytes"
            assert complete(shown.packets, echo.address[1]) and flags(shown)[0] == "S"
        else:
            assert "incomplete" in shown._repr_html_().lower() and shown.problems


@live_only
def test_a_capture_with_packets_missing_is_flagged():
    echo = serve("echo")
    shown = capture_tcp(echo.address, b"y" * 300_000, timeout=10)
    port = echo.address[1]
    assert shown.whole, shown.problems
    data = [i for i, p in enumerate(shown) if len(p[TCP].payload)]
    without_data = [p for i, p in enumerate(shown) if i != data[1]]
    assert any("bytes the client sent are missing" in p for p in cap.audit(without_data, port))
    without_end = [p for p in shown if "F" not in p[TCP].flags]
    assert "the end of the connection was not seen" in cap.audit(without_end, port)
    cut = shown[data[0]].copy()
    cut[TCP].remove_payload()  # the IP header still says how long the packet was
    assert "1 packets were cut short" in cap.audit([cut if p is shown[data[0]] else p for p in shown], port)
    assert cap.audit(shown.packets[2:], port)[-2:] != []  # no handshake

