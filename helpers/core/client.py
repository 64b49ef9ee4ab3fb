"""Clients for the course services: every call takes a timeout and fails with one clear line."""
import selectors
import socket

from helpers.core.errors import ServiceError, describe

TIMEOUT = 2.0
SMALL = 32 * 1024  # a reply this size always fits the receive buffer, so plain blocking calls are safe


def ask(address, data, timeout=TIMEOUT):
    """Send data over a new TCP connection, close our side, return all the server sends back.

    Sending and receiving interleave, so even a 10 MB echo cannot deadlock; `timeout`
    is how long we wait without any progress.
    """
    address, data = tuple(address), bytes(data)
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            if len(data) > SMALL:
                return _interleave(sock, memoryview(data), timeout)
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            return b"".join(iter(lambda: sock.recv(65536), b""))
    except OSError as error:
        raise ServiceError(describe(error, address, timeout)) from None


def _interleave(sock, outgoing, timeout):
    sock.setblocking(False)
    replies = []
    with selectors.DefaultSelector() as sel:
        sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
        if not outgoing:
            sock.shutdown(socket.SHUT_WR)
            sel.modify(sock, selectors.EVENT_READ)
        while True:
            events = sel.select(timeout)
            if not events:
                raise TimeoutError
            mask = events[0][1]
            if mask & selectors.EVENT_WRITE and outgoing:
                outgoing = outgoing[sock.send(outgoing[:262144]):]
                if not outgoing:
                    sock.shutdown(socket.SHUT_WR)
                    sel.modify(sock, selectors.EVENT_READ)
            if mask & selectors.EVENT_READ:
                chunk = sock.recv(262144)
                if not chunk:
                    return b"".join(replies)
                replies.append(chunk)


def udp_ask(address, data, timeout=TIMEOUT):
    """Send one datagram and wait for one datagram back."""
    address = tuple(address)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(bytes(data), address)
            reply, _ = sock.recvfrom(65535)
        except TimeoutError:
            raise ServiceError(f"no datagram came back from {address[0]}:{address[1]} within "
                               f"{timeout:g} s (UDP never tells you if anyone is listening)") from None
        except OSError as error:
            raise ServiceError(describe(error, address, timeout)) from None
    return reply
