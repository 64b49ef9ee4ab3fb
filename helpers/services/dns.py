"""DNS: a real name server (dnslib) for a small course zone, and dnspython clients, one with a cache.

The server stays open to every account on the machine, as a public authoritative server is: it
answers questions about one public, read-only zone of documentation addresses, and holds nothing of
the learner's. Nothing can change it (UPDATE and any opcode but QUERY get NOTIMP) and zone transfers
(AXFR, IXFR) are REFUSED, as real servers refuse them to strangers.
"""
import math
import selectors
import socket
import socketserver
import statistics
import threading
import time
from dataclasses import dataclass, field

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
from dnslib import CLASS, QTYPE, RCODE, RR, DNSError, DNSHeader, DNSRecord
from dnslib.server import BaseResolver, DNSHandler

from helpers.core.errors import ServiceError, describe
from helpers.core.ports import HOST
from helpers.core.service import ThreadService

ORIGIN = "crappytaxidermy.com."

# The course zone: each name, fully qualified, with its records as (type, TTL in seconds, data);
# the data is written as in a zone file (RFC 1035), with names ending in a dot.
# Addresses come from the ranges kept for documentation (RFC 5737, RFC 3849): they lead nowhere.
# www is an alias (CNAME) of the bare name, which is why the chapter's gethostbyname_ex() printed
# ('crappytaxidermy.com', ['www.crappytaxidermy.com'], [...]).
ZONE = {
    "crappytaxidermy.com": [
        ("SOA", 3600, "ns.crappytaxidermy.com. hostmaster.crappytaxidermy.com. 2024060101 3600 600 86400 60"),
        ("NS", 3600, "ns.crappytaxidermy.com."),
        ("A", 3600, "192.0.2.80"),
        ("AAAA", 3600, "2001:db8::80"),
        ("MX", 3600, "10 mail.crappytaxidermy.com."),
        ("TXT", 3600, '"v=spf1 mx -all"'),
    ],
    "www.crappytaxidermy.com": [("CNAME", 300, "crappytaxidermy.com.")],
    "ns.crappytaxidermy.com": [("A", 3600, "192.0.2.53")],
    "mail.crappytaxidermy.com": [("A", 3600, "198.51.100.25"), ("AAAA", 3600, "2001:db8::25")],
    "countdown.crappytaxidermy.com": [("A", 3, "192.0.2.3")],  # a TTL of 3 s: a cache forgets it while you watch
}


def zone_records(zone):
    """dnslib resource records from a zone dict {name: [(type, ttl, data), ...]}."""
    lines = (f"{name.rstrip('.')}. {ttl} IN {rtype} {data}" for name, records in zone.items()
             for rtype, ttl, data in records)
    return RR.fromZone("\n".join(lines))


class ZoneResolver(BaseResolver):
    """Answer from one zone with authority: NXDOMAIN for names it lacks, REFUSED for names outside it."""

    def __init__(self, zone=ZONE):
        self.records = zone_records(zone)
        soas = [rr for rr in self.records if rr.rtype == QTYPE.SOA]
        if len(soas) != 1:
            raise ValueError(f"a zone needs exactly one SOA record, not {len(soas)}")
        self.soa = soas[0]
        self.origin = self.soa.rname

    def resolve(self, request, handler):
        """The reply to one parsed query (dnslib calls this for every UDP or TCP query)."""
        reply = request.reply(ra=0)  # ra=0: this server does not recurse for you
        if request.header.opcode != 0 or not request.questions:
            reply.header.rcode = RCODE.NOTIMP if request.header.opcode else RCODE.FORMERR
            return reply
        qname, qtype = request.q.qname, request.q.qtype
        if qtype in (QTYPE.AXFR, QTYPE.IXFR):
            reply.header.rcode = RCODE.REFUSED  # no zone transfers: ask for names one by one
            return reply
        if not qname.matchSuffix(self.origin) or request.q.qclass not in (CLASS.IN, 255):
            reply.header.aa = 0
            reply.header.rcode = RCODE.REFUSED  # not our zone or class (255: any), and we do not recurse
            return reply
        name = qname
        for _ in range(8):  # follow aliases inside the zone, as authoritative servers do
            here = [rr for rr in self.records if rr.rname == name]
            found = [rr for rr in here if qtype in (rr.rtype, QTYPE.ANY)]
            alias = [rr for rr in here if rr.rtype == QTYPE.CNAME]
            for rr in found or alias:
                reply.add_answer(rr)
            if found or not alias or not alias[0].rdata.label.matchSuffix(self.origin):
                break
            name = alias[0].rdata.label
        if not reply.rr:
            if not any(rr.rname == qname for rr in self.records):
                reply.header.rcode = RCODE.NXDOMAIN
            reply.add_auth(self.soa)  # the SOA says how long a cache may remember "no such thing"
        return reply


class StatsLogger:
    """dnslib's logger interface, silent: rather than print every query, count it in the server's stats."""

    def __init__(self, stats):
        self.stats = stats

    def log_recv(self, handler, data):
        self.stats.add(messages=1, bytes_in=len(data))

    def log_send(self, handler, data):
        self.stats.add(bytes_out=len(data))

    def log_error(self, handler, error):
        self.stats.add(errors=1)

    def log_request(self, handler, request):
        pass

    log_reply = log_truncated = log_data = log_request


class Handler(DNSHandler):
    """dnslib's handler with FORMERR and SERVFAIL replies, tracked TCP clients, many queries a connection."""

    def setup(self):
        self.malformed = False
        if self.server.socket_type == socket.SOCK_STREAM:
            self.request.settimeout(self.server.idle_timeout)
            self.server.stats.add(clients=1)
            thread = threading.current_thread()
            thread.name = f"{self.server.service_name}-client-{self.client_address[1]}"
            with self.server.lock:
                self.server.clients[self.request] = thread
                if self.server.closing:  # stop() began after this connection was accepted
                    self.request.shutdown(socket.SHUT_RDWR)

    def finish(self):
        with self.server.lock:
            self.server.clients.pop(self.request, None)

    def handle(self):
        """UDP as dnslib does it; TCP: answer each length-prefixed message until the client closes (RFC 7766)."""
        if self.server.socket_type != socket.SOCK_STREAM:
            return super().handle()
        self.protocol = "tcp"
        while not self.malformed and (data := self.read_message()) is not None:
            self.server.logger.log_recv(self, data)
            try:
                reply = self.get_reply(data)
            except DNSError as error:
                self.server.logger.log_error(self, error)
                break  # hang up: after nonsense, where the next message starts is anyone's guess
            self.server.logger.log_send(self, reply)
            self.request.sendall(len(reply).to_bytes(2, "big") + reply)
        self.hang_up()

    def hang_up(self):
        """Send our FIN, then read and drop what the client still sends (1 s at most): closing with its unread
        bytes would send a reset, and a reset can destroy replies the client has not read yet."""
        try:
            self.request.shutdown(socket.SHUT_WR)
            self.request.settimeout(1.0)
            while self.request.recv(65536):
                pass
        except OSError:
            pass

    def read_message(self):
        """The next DNS message on the TCP connection, or None when the client has closed between messages."""
        length = self.recv_exactly(2)
        if length is None:
            return None
        message = self.recv_exactly(int.from_bytes(length, "big"))
        if message is None:
            raise ConnectionError("the client closed after a length, before its message")
        return message

    def recv_exactly(self, size):
        """size bytes from the client; None at a clean end; ConnectionError if it closes part-way."""
        data = bytearray()
        while len(data) < size:
            chunk = self.request.recv(size - len(data))
            if not chunk:
                if data:
                    raise ConnectionError(f"the client closed after {len(data)} of {size} bytes")
                return None
            data += chunk
        return bytes(data)

    def get_reply(self, data):
        """The packed reply to one query: FORMERR if it cannot be read, SERVFAIL if the resolver fails."""
        if len(data) > 2 and data[2] & 0x80:  # the QR bit says this is an answer: never answer answers
            raise DNSError("a response, not a query")
        opcode = (data[2] >> 3) & 0x0F if len(data) >= 12 else 0
        if opcode:  # UPDATE (5), NOTIFY (4), ...: this zone cannot be changed; say so before parsing their sections
            return DNSRecord(DNSHeader(id=int.from_bytes(data[:2], "big"), qr=1, opcode=opcode,
                                       rcode=RCODE.NOTIMP)).pack()
        try:
            request = DNSRecord.parse(data)
        except DNSError:
            if len(data) < 12:  # not even a header to answer
                raise
            self.server.stats.add(errors=1)
            self.malformed = True
            return DNSRecord(DNSHeader(id=int.from_bytes(data[:2], "big"), qr=1, rcode=RCODE.FORMERR)).pack()
        try:
            return self.server.resolver.resolve(request, self).pack()
        except Exception:  # a bug in a resolver (or a zone) must cost one answer, not the server
            self.server.stats.add(errors=1)
            reply = request.reply(ra=0)
            reply.header.rcode = RCODE.SERVFAIL
            return reply.pack()


class QuietServer:
    """What both socket servers share: handle_request() never blocks, and errors are counted, not printed."""

    timeout = 0  # handle_request() is only called when a packet or connection is waiting: never block

    def handle_error(self, request, client_address):
        self.stats.add(errors=1)  # socketserver would print a traceback, which would land in a notebook cell


class UdpDns(QuietServer, socketserver.UDPServer):
    """DNS over UDP: one datagram in, one out, answered in the serving thread."""


class TcpDns(QuietServer, socketserver.ThreadingMixIn, socketserver.TCPServer):
    """DNS over TCP: each message has a 2-byte length in front; one thread per connection."""

    daemon_threads = True
    block_on_close = False  # stop() ends the client threads itself, with a deadline
    allow_reuse_address = True


class DnsServer(ThreadService):
    """An authoritative DNS server for the course zone on 127.0.0.1: UDP and TCP on the same port."""

    kind = "dns thread"
    protocol = "dns"

    def __init__(self, name="dns", port=0, zone=ZONE, idle_timeout=5.0, resolver=None):
        super().__init__(name)
        self.port = port
        self.resolver = resolver or ZoneResolver(zone)  # any dnslib resolver: resolve(request, handler) -> reply
        self.idle_timeout = idle_timeout
        self.at_stop = []  # functions stop() calls, e.g. to undo scapy reading this port as DNS

    @property
    def banner(self):
        """What a terminal user needs to ask this server."""
        if not self.running:
            return f"{self.name}: stopped"
        host, port = self.address
        zone = str(getattr(self.resolver, "origin", ORIGIN)).rstrip(".")
        example = "www." + ORIGIN.rstrip(".") if zone + "." == ORIGIN else zone
        return (f"DNS for {zone} on {host}:{port}, UDP and TCP; names outside {zone} are REFUSED\n"
                f"  try: python -m helpers.services.dig @{host} -p {port} {example}   (add MX, AAAA... or +tcp)\n"
                f"  dig takes the same words where it is installed (optional; Debian, Ubuntu: apt install dnsutils)")

    def _start(self):
        self._udp, self._tcp = self._bind()
        for server in (self._udp, self._tcp):
            server.resolver, server.logger, server.stats = self.resolver, StatsLogger(self.stats), self.stats
            server.idle_timeout, server.clients, server.lock = self.idle_timeout, {}, threading.Lock()
            server.closing = False
            server.service_name = self.name
        self.address = self._tcp.server_address
        self._start_thread(self._loop, "serve")

    def _bind(self):
        """A TCP listener on the port asked for (0: the OS picks), then UDP on the same number."""
        for _ in range(20):
            tcp = TcpDns((HOST, self.port), Handler)
            try:
                return UdpDns((HOST, tcp.server_address[1]), Handler), tcp
            except OSError:  # that number is taken for UDP: try another (or give up if it was asked for)
                tcp.server_close()
                if self.port:
                    raise
        raise ServiceError(f"{self.name}: found no port free for both UDP and TCP")

    def _loop(self):
        with selectors.DefaultSelector() as sel:
            sel.register(self._udp, selectors.EVENT_READ)
            sel.register(self._tcp, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            while True:
                for key, _ in sel.select():
                    if key.fileobj is self._wake_r:
                        return
                    key.fileobj.handle_request()  # a datagram to answer, or a connection to hand to a thread

    def _stop(self):
        while self.at_stop:
            self.at_stop.pop()()
        self._stop_thread()
        self._udp.server_close()
        self._tcp.server_close()
        with self._tcp.lock:
            self._tcp.closing = True
            clients = dict(self._tcp.clients)
        for conn in clients:
            try:
                conn.shutdown(socket.SHUT_RDWR)  # wakes the client's thread out of recv()
            except OSError:
                pass
        deadline = time.monotonic() + 0.5
        for thread in clients.values():
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


def dns_server(name="dns", port=0):
    """The course's DNS server for crappytaxidermy.com."""
    return DnsServer(name, port=port)


@dataclass
class Reply:
    """One DNS question and its answer, with the bytes that crossed the wire."""

    name: str
    rtype: str
    transport: str  # "udp" or "tcp"
    status: str  # the response code: NOERROR, NXDOMAIN, REFUSED...
    answers: list  # the data of the records of the type asked for, e.g. ["192.0.2.80"]
    records: list  # the whole answer section, one zone-file line per record (aliases included)
    ttl: int | None  # the smallest TTL in the answer: how many seconds a cache may keep it
    elapsed_us: float
    query: bytes = field(repr=False)  # the DNS message sent (over TCP, without its 2-byte length)
    response: bytes = field(repr=False)

    @property
    def ok(self):
        """True when the server answered with at least one record."""
        return self.status == "NOERROR" and bool(self.records)

    @property
    def error(self):
        """Why there is no answer, in one line ("" when there is one)."""
        if self.ok:
            return ""
        why = {"NXDOMAIN": "no such name", "REFUSED": "the server refused (not its zone; it does not recurse)",
               "NOERROR": f"the name exists but has no {self.rtype} record"}.get(self.status, "the server failed")
        return f"{self.name} {self.rtype}: {why} ({self.status})"

    def __str__(self):
        took = f"({self.elapsed_us:.0f} µs over {self.transport.upper()})"
        if not self.ok:
            return f"{self.error} {took}"
        return f"{self.name} {self.rtype} -> {', '.join(self.answers)}, TTL {self.ttl} s {took}"


def _address(server):
    """(host, port) from a server object or an address."""
    host, port = getattr(server, "address", server)
    return host, port


def lookup(server, name, rtype="A", tcp=False, timeout=2.0):
    """Ask the DNS server one question with dnspython; raises ServiceError (one line) if no answer comes."""
    host, port = _address(server)
    try:
        query = dns.message.make_query(name, rtype)
    except dns.exception.DNSException as error:  # an empty label, a type dnspython does not know...
        raise ServiceError(f"cannot ask for {name!r} {rtype!r}: {error}") from None
    send = dns.query.tcp if tcp else dns.query.udp
    start = time.perf_counter_ns()
    try:
        response = send(query, host, timeout=timeout, port=port)
    except dns.exception.Timeout:
        raise ServiceError(f"no DNS reply from {host}:{port} within {timeout:g} s") from None
    except OSError as error:
        raise ServiceError(describe(error, (host, port), timeout)) from None
    except dns.exception.DNSException as error:
        raise ServiceError(f"{host}:{port} sent a reply dnspython cannot read: {error}") from None
    elapsed = (time.perf_counter_ns() - start) / 1000
    wanted = dns.rdatatype.from_text(rtype)
    return Reply(name=name, rtype=rtype.upper(), transport="tcp" if tcp else "udp",
                 status=dns.rcode.to_text(response.rcode()),
                 answers=[rd.to_text() for rs in response.answer if wanted in (rs.rdtype, dns.rdatatype.ANY)
                          for rd in rs],
                 records=[line for rs in response.answer for line in rs.to_text().splitlines()],
                 ttl=min((rs.ttl for rs in response.answer), default=None), elapsed_us=elapsed,
                 query=query.wire, response=response.wire)


def resolver(server, timeout=2.0):
    """A dnspython Resolver that asks only this server: configure=False, so /etc/resolv.conf is not read."""
    host, port = _address(server)
    answerer = dns.resolver.Resolver(configure=False)
    answerer.nameservers = [host]
    answerer.port = port
    answerer.timeout = answerer.lifetime = timeout
    return answerer


@dataclass
class Cached:
    """An answer from the caching resolver: where it came from and how long it stays good."""

    name: str
    rtype: str
    answers: list
    source: str  # "cache" or "server"
    ttl_left: int  # seconds until the cache must ask the server again (what a resolver passes on as the TTL)
    elapsed_us: float

    def __str__(self):
        return (f"{self.name} {self.rtype} -> {', '.join(self.answers) or '-'} from the {self.source}, "
                f"TTL {self.ttl_left} s ({self.elapsed_us:.0f} µs)")


class CachingResolver:
    """A tiny cache in front of one DNS server: each answer is kept until its TTL runs out."""

    def __init__(self, server, timeout=2.0):
        self.server = server
        self.timeout = timeout
        self.entries = {}  # (name, type) -> (Reply, the time.monotonic() when it expires)

    def ask(self, name, rtype="A"):
        """The answer from the cache while it is fresh, else from the server (and then cached)."""
        start = time.perf_counter_ns()
        key, now = (name.lower().rstrip("."), rtype.upper()), time.monotonic()
        reply, expires = self.entries.get(key, (None, 0.0))
        source = "cache"
        if expires <= now:
            reply, source = lookup(self.server, name, rtype, timeout=self.timeout), "server"
            expires = now + (reply.ttl or 0)
            if reply.ok and reply.ttl:
                self.entries[key] = (reply, expires)
            else:  # this tiny cache keeps no "no such name" answers (real ones do, for the SOA's last number)
                self.entries.pop(key, None)
        elapsed = (time.perf_counter_ns() - start) / 1000
        return Cached(name, key[1], reply.answers if reply.ok else [], source, math.ceil(expires - now), elapsed)

    def clear(self):
        """Forget every answer."""
        self.entries.clear()


def dns_query_us(server, count=200, name="www." + ORIGIN):
    """Median microseconds of one UDP A query with dnspython against the server."""
    host, port = _address(server)
    query = dns.message.make_query(name, "A")
    for _ in range(10):  # warm up
        dns.query.udp(query, host, timeout=2, port=port)
    times = []
    for _ in range(count):
        start = time.perf_counter_ns()
        dns.query.udp(query, host, timeout=2, port=port)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1000
