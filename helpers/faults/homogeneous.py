"""The network is homogeneous: the same bytes read by machines (or programs) that disagree on what they mean."""
import socket
import threading

from helpers.core.errors import ServiceError, describe


def ipv6_loopback():
    """True if this machine can listen on ::1 (IPv6's 127.0.0.1)."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.create_server(("::1", 0), family=socket.AF_INET6):
            return True
    except OSError:
        return False


def echo_over(host, payload=b"hello", timeout=2.0):
    """Listen on host (an IPv4 or IPv6 address), echo one message back, and return (family name, reply)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.create_server((host, 0), family=family) as server:
        server.settimeout(timeout)
        address = server.getsockname()[:2]

        def answer():
            try:
                conn, _ = server.accept()
                with conn:
                    conn.sendall(conn.recv(1024))
            except OSError:
                pass

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        try:
            with socket.create_connection(address, timeout=timeout) as sock:
                sock.sendall(payload)
                reply = sock.recv(1024)
        except OSError as error:
            raise ServiceError(describe(error, address, timeout)) from None
        thread.join(timeout)
    return family.name, reply


def addresses_of(name="localhost"):
    """The addresses getaddrinfo gives for a name, in the order a client would try them."""
    infos = socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)
    return [(socket.AddressFamily(family).name, sockaddr[0]) for family, *_, sockaddr in infos]
