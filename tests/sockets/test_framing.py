"""Framing round-trips any payload however the stream is cut, and refuses what it cannot carry."""
import os
import random
import socket
import threading

import pytest

from helpers.sockets.framing import Delimiter, FixedSize, LengthPrefix, recv_message, send_message

SMALL = [b"", b"x", b"hello", bytes(range(256)), b"\x00" * 7, b"\r", b"a\r"]


def stream_of(framing_class, payloads, **options):
    return b"".join(framing_class(**options).encode(p) for p in payloads)


def split_everywhere(framing_class, stream, **options):
    """Feed the stream in two pieces, cut at every byte boundary; yield the messages each time."""
    for cut in range(len(stream) + 1):
        receiver = framing_class(**options)
        yield cut, receiver.feed(stream[:cut]) + receiver.feed(stream[cut:]), receiver


def test_length_prefix_round_trips_at_every_split():
    stream = stream_of(LengthPrefix, SMALL)
    for cut, messages, receiver in split_everywhere(LengthPrefix, stream):
        assert messages == SMALL, f"cut at byte {cut}"
        assert receiver.buffer == b""


def test_delimiter_round_trips_at_every_split_even_with_a_two_byte_delimiter():
    payloads = [p for p in SMALL if b"\r\n" not in p] + [b"ends with \r", b"\n inside is fine"]
    stream = stream_of(Delimiter, payloads, delimiter=b"\r\n")
    for cut, messages, _ in split_everywhere(Delimiter, stream, delimiter=b"\r\n"):
        assert messages == payloads, f"cut at byte {cut}"


def test_fixed_size_round_trips_payloads_of_its_size_at_every_split():
    payloads = [bytes(range(i, i + 8)) for i in range(0, 248, 40)] + [b"\x00" * 8]
    stream = stream_of(FixedSize, payloads, size=8)
    for cut, messages, _ in split_everywhere(FixedSize, stream, size=8):
        assert messages == payloads, f"cut at byte {cut}"


def test_fixed_size_pads_short_messages_and_refuses_long_ones():
    framing = FixedSize(size=8, pad=b" ")
    assert framing.encode(b"hi") == b"hi      "
    assert framing.feed(framing.encode(b"")) == [b" " * 8]  # the padding comes back: a trade-off
    with pytest.raises(ValueError, match="do not fit"):
        framing.encode(b"nine byte")


def test_one_megabyte_of_random_bytes_in_random_pieces():
    payloads = [os.urandom(1024 * 1024), b"", os.urandom(10)]
    stream = stream_of(LengthPrefix, payloads)
    rng = random.Random(17)
    receiver, got, at = LengthPrefix(), [], 0
    while at < len(stream):
        size = rng.randint(1, 5000)
        got += receiver.feed(stream[at:at + size])
        at += size
    assert got == payloads


@pytest.mark.parametrize("framing_class", [LengthPrefix, Delimiter])
def test_one_byte_at_a_time(framing_class):
    payload = bytes(b for b in os.urandom(70_000) if b != 10)  # no newline, so Delimiter can carry it too
    stream = stream_of(framing_class, [payload, b"tail"])
    receiver = framing_class()
    got = [m for i in range(len(stream)) for m in receiver.feed(stream[i:i + 1])]
    assert got == [payload, b"tail"]


def test_delimiter_refuses_payloads_that_contain_it():
    with pytest.raises(ValueError, match="contains the delimiter"):
        Delimiter().encode(b"two\nlines")


def test_limits_protect_the_receiver():
    with pytest.raises(ValueError, match="announced"):
        LengthPrefix(max_size=100).feed(LengthPrefix().encode(b"x" * 101))
    with pytest.raises(ValueError, match="no b'\\\\n' within"):
        Delimiter(max_size=100).feed(b"x" * 101)
    with pytest.raises(ValueError):
        LengthPrefix(max_size=100).encode(b"x" * 101)


def test_header_is_four_bytes_big_endian():
    assert LengthPrefix().encode(b"abc") == b"\x00\x00\x00\x03abc"


def test_send_and_recv_message_over_a_socket_pair():
    a, b = socket.socketpair()
    with a, b:
        b.settimeout(2)
        payloads = [b"", os.urandom(1024 * 1024), b"end"]
        sender, receiver = LengthPrefix(), LengthPrefix()
        writer = threading.Thread(target=a.sendall, args=(b"".join(sender.encode(p) for p in payloads),))
        writer.start()  # 1 MB is more than the pair's buffers hold: send while we read
        got = [recv_message(b, receiver) for _ in payloads]
        writer.join()
        assert got == payloads
        a.close()
        assert recv_message(b, receiver) is None  # clean close between messages


def test_recv_message_says_when_the_peer_vanishes_mid_message():
    a, b = socket.socketpair()
    with a, b:
        b.settimeout(2)
        a.sendall(LengthPrefix().encode(b"0123456789")[:8])
        a.close()
        with pytest.raises(ConnectionError, match="middle of a message"):
            recv_message(b, LengthPrefix())


def test_send_message_encodes_with_the_framing():
    a, b = socket.socketpair()
    with a, b:
        b.settimeout(2)
        send_message(a, b"line", Delimiter())
        assert b.recv(100) == b"line\n"
