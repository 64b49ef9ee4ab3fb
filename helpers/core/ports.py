"""Loopback addresses and free ports: every course server lives on 127.0.0.1."""
import errno
import socket

HOST = "127.0.0.1"


def free_port(kind=socket.SOCK_STREAM):
    """Return a port on 127.0.0.1 that the OS says is free right now.

    Another program may take it before you bind it: prefer binding port 0 yourself, and where a
    program cannot, start it through `retry_port_clash`.
    """
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


def port_clash(error):
    """True if error says a port was taken ("address already in use"), as an OSError or in a program's message."""
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return True
    text = str(error).lower()
    return any(words in text for words in ("address already in use", "address in use", "eaddrinuse"))


def retry_port_clash(start, attempts=8):
    """Call start() until it does not fail on a port another program took between free_port() and the bind.

    start picks its free ports itself on each call; any other failure is raised at once.
    """
    for attempt in range(attempts):
        try:
            return start()
        except Exception as error:
            if not port_clash(error) or attempt == attempts - 1:
                raise
