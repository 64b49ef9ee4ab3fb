"""A fault-injecting UDP relay: datagrams from clients go on to the target and replies come back, some lost,
some doubled, some held back and sent after the next one (reordered), as the settings say."""
import asyncio
import itertools
import random
import socket
import struct

from helpers.core.ports import HOST
from helpers.faults.loop import LoopService
from helpers.faults.settings import UDP_DEFAULTS, Faults, FaultStats, TwoWays
from helpers.faults.tcp import address_of

HOLD_S = 0.05  # a datagram held back for reordering goes anyway after this, if no other comes


class Relay(asyncio.DatagramProtocol):
    """Receives datagrams on one socket and hands each to a callback."""

    def __init__(self, received):
        self.received, self.transport = received, None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.received(data, addr)

    def error_received(self, exc):  # e.g. ICMP "port unreachable" from a target that is gone
        pass


class Lane:
    """One direction's faults applied to datagrams: loss, duplication, reordering, latency."""

    def __init__(self, relay, faults, counter):
        self.relay, self.faults, self.count, self.held = relay, faults, counter, None

    def send(self, data, send):
        """Apply the faults to one datagram that send(data) would deliver."""
        now, rng = self.faults.now(), self.relay.rng
        self.count(messages=1)
        if rng.random() < now.loss_rate:
            self.count(dropped=1)
            return
        copies = 2 if rng.random() < now.duplicate_rate else 1
        if copies == 2:
            self.count(duplicated=1)
        if self.held is None and rng.random() < now.reorder_rate:
            self.count(reordered=1)
            self.held = (data, send, copies)
            self.relay._loop.call_later(HOLD_S, self.flush)
            return
        self.relay.later(now.latency_ms, lambda: [send(data) for _ in range(copies)])
        self.flush(now.latency_ms)

    def flush(self, latency_ms=0.0):
        """Send the datagram held back (after the one that overtook it)."""
        if self.held is not None:
            data, send, copies = self.held
            self.held = None
            self.relay.later(latency_ms, lambda: [send(data) for _ in range(copies)])


class UdpRelay(TwoWays, LoopService):
    """Listens for datagrams on 127.0.0.1 (an OS-chosen port) and relays them to `target` and back, with faults."""

    kind = "faults udp relay"

    def __init__(self, target, name="faults-udp", seed=None, **faults):
        super().__init__(name)
        self.target, self.stats, self.rng = target, FaultStats(), random.Random(seed)
        self.up, self.down = Faults(UDP_DEFAULTS), Faults(UDP_DEFAULTS)
        self.set(**faults)
        self.peers = {}  # client address -> the transport that talks to the target for it

    def later(self, latency_ms, action):
        """Run action now, or after latency_ms."""
        if latency_ms:
            self._loop.call_later(latency_ms / 1000, action)
        else:
            action()

    async def _open(self):
        self._front, _ = await self._loop.create_datagram_endpoint(lambda: Relay(self._from_client),
                                                                   local_addr=(HOST, 0))
        self.address = self._front.get_extra_info("sockname")[:2]
        self._lanes = {"up": Lane(self, self.up, self.stats.add), "down": Lane(self, self.down, self.stats.add)}

    def _from_client(self, data, client):
        self.stats.add(bytes_in=len(data))
        peer = self.peers.get(client)
        if isinstance(peer, list):  # its socket to the target is still being opened
            peer.append(data)
        elif peer is None:
            self.stats.add(clients=1)
            self.peers[client] = [data]
            asyncio.ensure_future(self._connect(client))
        else:
            self._lanes["up"].send(data, peer.sendto)

    async def _connect(self, client):
        def back(data, _addr):
            self.stats.add(bytes_out=len(data))
            self._lanes["down"].send(data, lambda d: self._front.sendto(d, client))

        transport, _ = await self._loop.create_datagram_endpoint(lambda: Relay(back), local_addr=(HOST, 0),
                                                                 remote_addr=address_of(self.target))
        waiting, self.peers[client] = self.peers[client], transport
        for data in waiting:
            self._lanes["up"].send(data, transport.sendto)

    async def _close(self):
        for transport in [p for p in self.peers.values() if not isinstance(p, list)] + [self._front]:
            transport.close()
        self.peers.clear()
        await asyncio.sleep(0)


def udp_relay(target, name="faults-udp", **faults):
    """A started UDP relay in front of target (a service or (host, port)), with faults set."""
    return UdpRelay(target, name=name, **faults).start()


def datagram_report(address, count=1000, timeout=0.5):
    """Send `count` numbered datagrams to a UDP echo (or a relay in front of one) and count what came back.

    Returns sent, received, lost (never came back), duplicates and out_of_order (arrived after a higher number).
    """
    address = tuple(getattr(address, "address", address))
    order = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)

        def drain(wait):
            sock.settimeout(wait)
            try:
                while True:
                    order.append(struct.unpack("!I", sock.recv(64)[:4])[0])
                    sock.settimeout(wait)
            except (TimeoutError, BlockingIOError):
                pass

        for n in range(count):
            sock.sendto(struct.pack("!I", n), address)
            if n % 50 == 49:  # at most 50 on their way: no socket buffer overflows on its own, even on a busy machine
                drain(0.02)
        drain(timeout)
    seen = set(order)
    late = sum(1 for a, b in itertools.pairwise(order) if b < a)
    return {"sent": count, "received": len(order), "lost": count - len(seen),
            "duplicates": len(order) - len(seen), "out_of_order": late}
