"""UDP servers in a background thread: each datagram in, one datagram out."""
import selectors
import socket

from helpers.core.ports import HOST
from helpers.core.service import ThreadService

MAX_DATAGRAM = 65535


class UdpServer(ThreadService):
    """Answer each datagram with reply(data, client_address, service) on 127.0.0.1."""

    kind = "udp thread"

    def __init__(self, name, reply, port=0):
        super().__init__(name)
        self.reply = reply
        self.port = port


    def _start(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((HOST, self.port))
        self.address = self._sock.getsockname()
        self._start_thread(self._loop, "udp")

    def _loop(self):
        with selectors.DefaultSelector() as sel:
            sel.register(self._sock, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            while True:
                for key, _ in sel.select():
                    if key.fileobj is self._wake_r:
                        return
                    self._answer()

    def _answer(self):
        try:
            data, client = self._sock.recvfrom(MAX_DATAGRAM)
            self.stats.add(messages=1, bytes_in=len(data))
            answer = self.reply(data, client, self)
            if answer is not None:
                self._sock.sendto(answer, client)
                self.stats.add(bytes_out=len(answer))
        except (OSError, ValueError):  # one bad datagram must not stop the server
            self.stats.add(errors=1)

    def _stop(self):
        self._stop_thread()
        self._sock.close()


def udp_echo_server(name="udp-echo", port=0):
    """A UDP echo server: each datagram comes straight back."""
    return UdpServer(name, lambda data, client, service: data, port=port)
