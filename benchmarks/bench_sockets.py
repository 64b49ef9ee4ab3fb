"""Sockets: median round trips over UDP and framed TCP, and requests per second for 20 clients at once."""
import socket
import statistics
import time

from helpers.sockets.framing import LengthPrefix, recv_message, send_message
from helpers.sockets.multi import selector_server, talk_at_once, threaded_server
from helpers.servers.udp import udp_echo_server

ROUNDS = 2000
MESSAGE = b"Are you talking to me?"


def rtt_udp_us(rounds=ROUNDS):
    """Median microseconds for one datagram to the UDP echo server and back."""
    samples = []
    with udp_echo_server(name="bench-udp") as server, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        for _ in range(rounds):
            start = time.perf_counter()
            sock.sendto(MESSAGE, server.address)
            sock.recvfrom(65535)
            samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def rtt_tcp_framed_us(rounds=ROUNDS):
    """Median microseconds for one length-prefixed message and its reply, on one open connection."""
    samples = []
    with threaded_server(name="bench-framed") as server:
        with socket.create_connection(server.address, timeout=2) as sock:
            framing = LengthPrefix()
            for _ in range(rounds):
                start = time.perf_counter()
                send_message(sock, MESSAGE, framing)
                recv_message(sock, framing)
                samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def many_clients_rps(factory, clients=20, messages=250):
    """Requests per second that the server answers for `clients` clients sending as fast as they can."""
    with factory(name="bench-many") as server:
        exchanges = talk_at_once(server.address, clients=clients, messages=messages, pause=0, timeout=10)
    answered = [e for e in exchanges if not e.error]
    if len(answered) != clients * messages:
        raise RuntimeError(f"only {len(answered)} of {clients * messages} requests were answered")
    return len(answered) / (max(e.answered for e in answered) - min(e.sent for e in answered))


def run(results):
    """The socket numbers for benchmarks/results.json."""
    return {
        "rtt_udp_us": round(rtt_udp_us(), 1),
        "rtt_tcp_framed_us": round(rtt_tcp_framed_us(), 1),
        "many_clients_rps_threaded": round(many_clients_rps(threaded_server)),
        "many_clients_rps_selectors": round(many_clients_rps(selector_server)),
    }


if __name__ == "__main__":
    print(run({}))
