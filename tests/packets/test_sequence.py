"""Sequence diagrams: the recorded traces become the expected arrows, and the drawing shows them."""
from helpers.packets.capture import MESSAGE, recorded
from helpers.packets.sequence import Arrow, arrows, draw_sequence, draw_sequences, flag_names


def test_flag_names():
    assert flag_names("SA") == "SYN ACK" and flag_names("FA") == "FIN ACK" and flag_names("PA") == "PSH ACK"


def test_tcp_trace_gives_handshake_data_and_teardown():
    steps = arrows(recorded("tcp_exchange"))
    assert len(steps) == 10 and [s.number for s in steps] == list(range(1, 11))
    assert [(s.sender, s.flags, s.seq, s.ack, s.length) for s in steps[:4]] == [
        ("client", "SYN", 0, None, 0),
        ("server", "SYN ACK", 0, 1, 0),
        ("client", "ACK", 1, 1, 0),
        ("client", "PSH ACK", 1, 1, len(MESSAGE)),
    ]
    data = [(s.sender, s.seq, s.length) for s in steps if s.length]
    assert data == [("client", 1, 13), ("server", 1, 13)]
    fins = [(s.sender, s.seq) for s in steps if "FIN" in s.flags]
    assert sorted(fins) == [("client", 14), ("server", 14)]
    assert (steps[-1].sender, steps[-1].flags, steps[-1].seq, steps[-1].ack) == ("client", "ACK", 15, 15)
    assert steps[0].time_ms == 0 and all(a.time_ms <= b.time_ms for a, b in zip(steps, steps[1:]))


def test_every_data_byte_is_acknowledged():
    steps = arrows(recorded("tcp_exchange"))
    server_acks = [s.ack for s in steps if s.sender == "server" and s.ack is not None]
    client_acks = [s.ack for s in steps if s.sender == "client" and s.ack is not None]
    assert max(server_acks) == 15 and max(client_acks) == 15  # 13 bytes + SYN + FIN each way


def test_udp_trace_is_two_datagrams():
    steps = arrows(recorded("udp_exchange"))
    assert [(s.sender, s.flags, s.length) for s in steps] == [("client", "UDP", 13), ("server", "UDP", 13)]
    assert steps[0].text == "UDP datagram, 13 bytes"


def test_arrow_text():
    assert Arrow(1, 0.0, "client", "SYN", 0).text == "SYN seq=0"
    assert Arrow(4, 1.0, "client", "PSH ACK", 1, 1, 13).text == "PSH ACK seq=1 ack=1 len=13"


def test_drawing_has_one_labelled_arrow_per_packet_and_says_recorded():
    trace = recorded("tcp_exchange")
    fig = draw_sequence(trace)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert sum(getattr(t, "arrow_patch", None) is not None for t in ax.texts) == 10
    assert "SYN seq=0" in labels and "SYN ACK seq=0 ack=1" in labels and "ACK seq=15 ack=15" in labels
    assert sum(label.startswith("#") for label in labels) == 10
    assert ax.get_title().startswith("RECORDED · data/tcp_exchange.pcap")


def test_side_by_side_udp_and_tcp():
    fig = draw_sequences(recorded("udp_exchange"), recorded("tcp_exchange"), titles=["UDP", "TCP"])
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["UDP", "TCP"]
    assert "2 packets" in fig.axes[0].get_title() and "10 packets" in fig.axes[1].get_title()


def test_a_capture_with_packets_missing_is_drawn_as_incomplete():
    shown = recorded("tcp_exchange")
    shown.packets = shown.packets[:5]
    shown.problems = ["the end of the connection was not seen"]
    title = draw_sequence(shown).axes[0].get_title()
    assert title.startswith("INCOMPLETE") and "5 packets" in title
    assert not draw_sequence(recorded("tcp_exchange")).axes[0].get_title().startswith("INCOMPLETE")
