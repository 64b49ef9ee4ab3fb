"""The chapter's first servers, over UDP and TCP: they note who called and answer "Are you talking to me?"."""
import collections
import sys
from datetime import datetime

from helpers.servers.tcp import TcpServer
from helpers.servers.udp import UdpServer

MAX_SIZE = 1000  # like the chapter, the TCP server reads one recv() of at most this many bytes


def greeting(client, protocol):
    """The reply: the chapter's question, who the server thinks you are, and the server's clock."""
    host, port = client[:2]
    now = datetime.now().isoformat(timespec="milliseconds")
    return f"Are you talking to me, {host}:{port}? ({protocol}, {now})".encode()


def note(service, client, data):
    """Remember (when, client address, data) in service.heard; print it too when run in a terminal."""
    when = datetime.now()
    service.heard.append((when, client[:2], data))
    if sys.stdout.isatty():
        print(f"At {when} {client[:2]} said {data!r}", flush=True)


def udp_time_reply(data, client, service):
    """UdpServer reply: one datagram in, one greeting out."""
    note(service, client, data)
    return greeting(client, "UDP")


def tcp_time_handle(conn, service):
    """TcpServer handle, as in the chapter: one recv(), one reply, then the connection closes."""
    data = conn.recv(MAX_SIZE)
    client = conn.getpeername()
    note(service, client, data)
    reply = greeting(client, "TCP")
    service.stats.add(messages=1, bytes_in=len(data), bytes_out=len(reply))
    conn.sendall(reply)


def udp_time_server(name="udp-time", port=0):
    """The chapter's UDP server, answering every datagram (not just the first)."""
    server = UdpServer(name, udp_time_reply, port=port)
    server.heard = collections.deque(maxlen=100)
    return server


def tcp_time_server(name="tcp-time", port=0):
    """The chapter's TCP server, answering every client (not just the first)."""
    server = TcpServer(name, tcp_time_handle, port=port, idle_timeout=5.0)
    server.heard = collections.deque(maxlen=100)
    return server
