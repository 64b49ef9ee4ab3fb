"""The servers the course can start by name, from a notebook or a terminal."""
from . import registry
from .http_server import http_server
from .redis_server import redis_server
from .tcp import echo_server
from .time_servers import tcp_time_server, udp_time_server
from .udp import udp_echo_server

SERVERS = {
    "echo": (echo_server, "TCP echo: sends back every byte it receives"),
    "udp-echo": (udp_echo_server, "UDP echo: each datagram comes straight back"),
    "redis": (redis_server, "a real redis-server, no persistence"),
    "udp-time": (udp_time_server, "the chapter's UDP server: 'Are you talking to me?', your address, its clock"),
    "tcp-time": (tcp_time_server, "the chapter's TCP server: one recv(), then 'Are you talking to me?'"),
    "http": (http_server, "a tiny web server with one page at / (for nc-style experiments)"),
}


def serve(name, port=0, as_name=None):
    """Start the server called name (replacing a running one of that name) and return it."""
    if name not in SERVERS:
        raise ValueError(f"no server called {name!r}; choose from {', '.join(SERVERS)}")
    factory, _ = SERVERS[name]
    return factory(name=as_name or name, port=port).start()


def stop(name):
    """Stop the running server called name."""
    registry.stop(name)
