"""Loopback addresses and free ports: every course server lives on 127.0.0.1."""
import socket

HOST = "127.0.0.1"


def free_port(kind=socket.SOCK_STREAM):
    """Return a port on 127.0.0.1 that the OS says is free right now."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def is_listening(address, timeout=0.2):
    """True if a TCP server accepts connections at address."""
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False
