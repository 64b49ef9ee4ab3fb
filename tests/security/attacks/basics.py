"""Two-account attacks on the shared servers and the sockets topic's: open by design, and harmless."""
from kit import Attack, Breach

from helpers.core.client import ask, udp_ask


def tcp_owner(message):
    """An owner check for a TCP server that answers with something containing message's first word."""
    def owner(server):
        reply = ask(server.address, message, timeout=5)
        assert reply, f"{server.name} sent nothing back"
        return {"host": server.address[0], "port": server.address[1]}, []
    return owner


def udp_owner(server):
    assert udp_ask(server.address, b"ping", timeout=5)
    return {"host": server.address[0], "port": server.address[1]}, []


def gets_only(expected, send=ask, command=b"cat ~/.ssh/id_rsa\n"):
    """A classmate's attempt that sends a shell command (over TCP, or UDP with send=udp_ask): all it gets is the
    server's own harmless reply."""
    def attempt(facts):
        reply = send((facts["host"], facts["port"]), command, timeout=5)
        if expected not in reply:
            raise Breach(f"unexpected reply {reply[:80]!r}")
        return f"answered only with its fixed behaviour: {reply[:60]!r}"
    return attempt


ECHO = "it only sends back what it receives: nothing of the owner's to read, nothing to run"
ATTACKS = {
    "echo": Attack(owner=tcp_owner(b"hello"), open=ECHO,
                   tries=[("send a shell command", gets_only(b"cat ~/.ssh/id_rsa"), "fixed behaviour")]),
    "udp-echo": Attack(owner=udp_owner, open=ECHO,
                       tries=[("send a shell command", gets_only(b"cat ~/.ssh/id_rsa", udp_ask, b"cat ~/.ssh/id_rsa"), "fixed behaviour")]),
}
