"""The course DNS server (dnslib) and its dnspython clients: real queries over UDP and TCP, bad input, a cache."""
import os
import socket
import statistics
import struct
import threading
import time

import dns.message
import dns.query
import dns.rcode
import dns.resolver
import dns.update
import pytest
from dnslib import RCODE, DNSRecord

from helpers.core.errors import ServiceError
from helpers.services.dns import (ZONE, CachingResolver, DnsServer, ZoneResolver, dns_query_us, dns_server, lookup,
                                  resolver, zone_records)

WWW = "www.crappytaxidermy.com"

# (name, type) -> (the answers for that type, the smallest TTL in the answer section)
EXPECTED = {
    ("crappytaxidermy.com", "A"): (["192.0.2.80"], 3600),
    ("crappytaxidermy.com", "AAAA"): (["2001:db8::80"], 3600),
    ("crappytaxidermy.com", "MX"): (["10 mail.crappytaxidermy.com."], 3600),
    ("crappytaxidermy.com", "TXT"): (['"v=spf1 mx -all"'], 3600),
    ("crappytaxidermy.com", "NS"): (["ns.crappytaxidermy.com."], 3600),
    (WWW, "CNAME"): (["crappytaxidermy.com."], 300),
    (WWW, "A"): (["192.0.2.80"], 300),  # through the alias: CNAME then A
    (WWW, "AAAA"): (["2001:db8::80"], 300),
    ("ns.crappytaxidermy.com", "A"): (["192.0.2.53"], 3600),
    ("mail.crappytaxidermy.com", "A"): (["198.51.100.25"], 3600),
    ("mail.crappytaxidermy.com", "AAAA"): (["2001:db8::25"], 3600),
    ("countdown.crappytaxidermy.com", "A"): (["192.0.2.3"], 3),
}


@pytest.fixture
def server():
    with dns_server(name="dns-test") as running:
        yield running


def good(server, tcp=False):
    """A good client is served: www's address comes back."""
    return lookup(server, WWW, tcp=tcp).answers == ["192.0.2.80"]


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_every_record_resolves_to_the_expected_answer(server, tcp):
    for (name, rtype), (answers, ttl) in EXPECTED.items():
        reply = lookup(server, name, rtype, tcp=tcp)
        assert (reply.status, reply.answers, reply.ttl) == ("NOERROR", answers, ttl), (name, rtype)
        assert reply.ok and reply.error == "" and reply.transport == ("tcp" if tcp else "udp")
        assert str(reply).startswith(f"{name} {rtype} -> {', '.join(answers)}, TTL {ttl} s (")


def test_an_alias_comes_with_what_it_points_to(server):
    reply = lookup(server, "WWW.CrappyTaxidermy.com.", "A")  # names are case-insensitive
    assert reply.records == ["www.crappytaxidermy.com. 300 IN CNAME crappytaxidermy.com.",
                             "crappytaxidermy.com. 3600 IN A 192.0.2.80"]


def test_unknown_name_in_the_zone_is_nxdomain(server):
    reply = lookup(server, "nope.crappytaxidermy.com")
    assert reply.status == "NXDOMAIN" and not reply.ok and reply.answers == []
    assert reply.error == "nope.crappytaxidermy.com A: no such name (NXDOMAIN)"
    assert str(reply).startswith(reply.error + " (") and str(reply).endswith(" µs over UDP)")
    authority = DNSRecord.parse(reply.response).auth
    assert [str(rr.rname) for rr in authority] == ["crappytaxidermy.com."]  # the SOA, for negative caching
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver(server).resolve("nope.crappytaxidermy.com", "A")


def test_a_name_without_that_type_is_no_data(server):
    reply = lookup(server, "mail.crappytaxidermy.com", "TXT")
    assert reply.status == "NOERROR" and reply.records == [] and "has no TXT record" in reply.error


@pytest.mark.parametrize("name", ["example.com", "notcrappytaxidermy.com", "localhost"])
def test_names_outside_the_zone_are_refused(server, name):
    reply = lookup(server, name)
    assert reply.status == "REFUSED" and reply.answers == [] and "REFUSED" in reply.error
    assert not DNSRecord.parse(reply.response).header.ra  # it offers no recursion


def test_other_classes_are_refused_and_edns_is_fine(server):
    host, port = server.address
    chaos = dns.query.udp(dns.message.make_query("crappytaxidermy.com", "TXT", rdclass="CH"), host, 2, port)
    assert chaos.rcode() == dns.rcode.REFUSED and not chaos.answer
    edns = dns.query.udp(dns.message.make_query(WWW, "A", use_edns=0), host, 2, port)  # as dig asks
    assert edns.rcode() == dns.rcode.NOERROR and edns.answer[-1][0].address == "192.0.2.80"


class BrokenResolver(ZoneResolver):
    """A resolver with a bug for one name."""

    def resolve(self, request, handler):
        if str(request.q.qname).startswith("bug."):
            raise AttributeError("a bug")
        return super().resolve(request, handler)


def test_a_resolver_that_fails_costs_one_answer_not_the_server(capfd):
    with DnsServer(name="dns-bug", resolver=BrokenResolver()) as server:
        for tcp in (False, True):
            assert lookup(server, "bug.crappytaxidermy.com", tcp=tcp).status == "SERVFAIL"
            assert good(server, tcp=tcp)
        assert server.stats.errors == 2
    assert capfd.readouterr() == ("", "")


def test_the_wire_bytes_are_the_real_messages(server):
    for tcp in (False, True):
        reply = lookup(server, WWW, "AAAA", tcp=tcp)
        query, response = DNSRecord.parse(reply.query), DNSRecord.parse(reply.response)
        assert str(query.q.qname) == WWW + "." and query.header.id == response.header.id
        assert response.header.qr and response.header.aa
        assert [str(rr.rdata) for rr in response.rr][-1] == "2001:db8::80"


def test_dnspython_resolver_asks_only_this_server(server):
    answer = resolver(server).resolve(WWW, "A")
    assert [rd.address for rd in answer] == ["192.0.2.80"]
    assert answer.canonical_name.to_text() == "crappytaxidermy.com."  # as the chapter's gethostbyname_ex says
    answer = resolver(server).resolve(WWW, "A", tcp=True)
    assert [rd.address for rd in answer] == ["192.0.2.80"]


def test_server_counts_queries_and_says_nothing(server, capfd):
    before = server.stats.messages
    for _ in range(5):
        lookup(server, WWW)
    lookup(server, WWW, tcp=True)
    lookup(server, "nope.crappytaxidermy.com")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"\x00", server.address)  # an error, which socketserver would print a traceback for
    assert good(server)
    assert server.stats.messages - before == 9 and server.stats.errors == 1 and server.stats.clients == 1
    assert capfd.readouterr() == ("", "")  # dnslib's default logger would print every query


def test_client_errors_are_one_line(server):
    with pytest.raises(ServiceError, match="cannot ask for"):
        lookup(server, "a..b")
    with pytest.raises(ServiceError, match="cannot ask for"):
        lookup(server, WWW, "BOGUS")
    address = server.address
    server.stop()
    with pytest.raises(ServiceError, match=r"^no DNS reply from 127\.0\.0\.1:\d+ within 0\.3 s$"):
        lookup(address, WWW, timeout=0.3)
    with pytest.raises(ServiceError, match="nothing is listening"):
        lookup(address, WWW, tcp=True, timeout=0.3)


def udp_exchange(address, data, timeout=0.3):
    """Send one datagram; the reply, or None if none comes."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(data, address)
        try:
            return sock.recv(65535)
        except TimeoutError:
            return None


def test_malformed_udp_queries_do_not_stop_the_server(server):
    query = DNSRecord.question(WWW).pack()
    assert udp_exchange(server.address, b"\xff") is None  # too short to answer
    bad_question = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"\x3fno"  # question cut short
    formerr = DNSRecord.parse(udp_exchange(server.address, bad_question))
    assert formerr.header.id == 0x1234 and formerr.header.rcode == RCODE.FORMERR
    assert udp_exchange(server.address, query[:2] + b"\x81" + query[3:]) is None  # QR set: an answer, not a query
    for _ in range(50):
        udp_exchange(server.address, os.urandom(200), timeout=0.01)
    udp_exchange(server.address, os.urandom(65507), timeout=0.05)  # the largest datagram there is
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as gone:
        gone.sendto(query, server.address)  # closes before the reply arrives
    assert good(server) and good(server, tcp=True)
    assert server.stats.errors >= 3


def send_and_close(address, data, timeout=10.0):
    """Send data over TCP, close our side, read what comes back; the server may well hang up on us."""
    try:
        with socket.create_connection(address, timeout=timeout) as sock:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            return b"".join(iter(lambda: sock.recv(65536), b""))
    except OSError:
        return None


def framed(message):
    """A DNS message as TCP carries it: a 2-byte length first."""
    return struct.pack("!H", len(message)) + message


def test_tcp_garbage_and_non_utf8(server, capfd):
    send_and_close(server.address, os.urandom(100_000))
    send_and_close(server.address, b"\xff\xfe\x00\r\n\r\n" * 10)
    reply = send_and_close(server.address, framed(struct.pack("!H", 7) + b"\x01\x00\xc3\x28\xff\xfe" * 4))
    assert DNSRecord.parse(reply[2:]).header.rcode == RCODE.FORMERR  # non-UTF-8 labels, cut short
    send_and_close(server.address, b"")  # connects and says nothing at all
    assert good(server, tcp=True) and good(server)
    assert capfd.readouterr() == ("", "")  # no traceback from socketserver


def test_many_queries_on_one_tcp_connection(server):
    queries = [DNSRecord.question(name, rtype) for name, rtype in
               [(WWW, "A"), ("mail.crappytaxidermy.com", "AAAA"), ("nope.crappytaxidermy.com", "A")]]
    replies = send_and_close(server.address, b"".join(framed(q.pack()) for q in queries))  # pipelined
    parsed = []
    while replies:
        length = struct.unpack("!H", replies[:2])[0]
        parsed.append(DNSRecord.parse(replies[2:2 + length]))
        replies = replies[2 + length:]
    assert [r.header.id for r in parsed] == [q.header.id for q in queries]
    assert [str(r.rr[-1].rdata) if r.rr else RCODE[r.header.rcode] for r in parsed] == \
        ["192.0.2.80", "2001:db8::25", "NXDOMAIN"]
    with socket.create_connection(server.address, timeout=2) as sock:  # dnspython, one socket, two queries
        for rtype in ("A", "MX"):
            answer = dns.query.tcp(dns.message.make_query(WWW, rtype), None, timeout=2, sock=sock)
            assert answer.rcode() == 0 and answer.answer


def test_tcp_hangs_up_after_a_malformed_message(server):
    bad = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"\x3fno"
    replies = send_and_close(server.address, framed(bad) + framed(DNSRecord.question(WWW).pack()))
    length = struct.unpack("!H", replies[:2])[0]
    assert DNSRecord.parse(replies[2:]).header.rcode == RCODE.FORMERR and len(replies) == 2 + length
    assert good(server, tcp=True)


def test_tcp_ten_megabytes(server):
    send_and_close(server.address, os.urandom(10 * 1024 * 1024))
    send_and_close(server.address, framed(DNSRecord.question(WWW).pack()) + b"\x00" * (10 * 1024 * 1024))
    assert good(server, tcp=True) and good(server)


def test_tcp_client_vanishing_mid_message(server, capfd):
    errors = server.stats.errors
    sock = socket.create_connection(server.address, timeout=2)
    sock.sendall(struct.pack("!H", 1000) + b"half a query" * 10)  # announces 1000 bytes, sends 120
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # linger 0: the server sees a reset
    deadline = time.monotonic() + 2
    while server.stats.errors == errors and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.stats.errors == errors + 1
    assert good(server, tcp=True) and good(server)
    assert capfd.readouterr() == ("", "")  # the reset was counted, not printed


def test_silent_tcp_client_does_not_block_others(server):
    with socket.create_connection(server.address, timeout=2):
        assert good(server, tcp=True) and good(server)


def test_cache_answers_until_the_ttl_runs_out(server):
    cache = CachingResolver(server)
    first = cache.ask("countdown.crappytaxidermy.com")
    asked = server.stats.messages
    assert (first.source, first.answers, first.ttl_left) == ("server", ["192.0.2.3"], 3)
    seen, took = [], []
    while (answer := cache.ask("countdown.crappytaxidermy.com")).source == "cache":
        assert answer.answers == ["192.0.2.3"]
        seen.append(answer.ttl_left)
        took.append(answer.elapsed_us)
        time.sleep(0.25)
    assert statistics.median(took) < first.elapsed_us  # one answer may wait for the CPU; most are quicker
    assert server.stats.messages == asked + 1  # the cache asked the server again only once the TTL ran out
    assert seen[0] == 3 and seen[-1] == 1 and seen == sorted(seen, reverse=True)  # it counted down
    assert 9 <= len(seen) <= 13  # about 3 s worth of 0.25 s steps
    assert (answer.source, answer.ttl_left) == ("server", 3)
    assert cache.ask("www.crappytaxidermy.com").source == "server"
    assert cache.ask("WWW.crappytaxidermy.com.").source == "cache"  # one name, however it is spelled
    assert cache.ask("nope.crappytaxidermy.com").source == "server"
    assert cache.ask("nope.crappytaxidermy.com").source == "server"  # no negative caching here
    cache.clear()
    assert cache.ask("www.crappytaxidermy.com").source == "server"


def test_stop_frees_both_ports_and_every_thread():
    server = dns_server(name="dns-stop").start()
    host, port = server.address
    silent = socket.create_connection(server.address)  # a client thread that stop() must end
    assert good(server, tcp=True)
    assert f"127.0.0.1 -p {port} www.crappytaxidermy.com" in server.banner
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.0
    server.stop()  # twice is fine
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past our own TIME_WAIT, never a listener
        tcp.bind((host, port))
        tcp.listen()
        udp.bind((host, port))  # no SO_REUSEADDR: fails if anything still holds the UDP port
    deadline = time.monotonic() + 1
    while any(t.name.startswith("dns-stop") for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(t.name.startswith("dns-stop") for t in threading.enumerate())
    assert silent.recv(10) == b""  # the server hung up on the silent client
    silent.close()


def test_same_name_replaces_and_port_can_be_chosen(capsys):
    first = dns_server(name="dns-twice").start()
    port = first.address[1]
    first.stop()
    second = DnsServer(name="dns-twice", port=port).start()  # a port asked for: UDP and TCP both on it
    third = dns_server(name="dns-twice").start()  # the re-run cell: replaces the second one
    try:
        assert second.address == ("127.0.0.1", port) and not second.running and third.running
        assert "replaces it" in capsys.readouterr().out
        assert good(third)
    finally:
        third.stop()


def test_dns_query_us(server):
    median = dns_query_us(server, count=200)
    print(f"dns_query_us={median:.0f}")
    assert 0 < median < 50_000


def test_the_zone_is_a_plain_dict_and_every_record_is_served():
    assert isinstance(ZONE, dict) and all(isinstance(records, list) for records in ZONE.values())
    assert len(zone_records(ZONE)) == sum(len(records) for records in ZONE.values())
    served = {(name, rtype) for name, rtype in EXPECTED}
    for name, records in ZONE.items():  # every record of the dict is in EXPECTED (apart from the SOA)
        assert all((name, rtype) in served for rtype, _, _ in records if rtype != "SOA"), name


def test_a_zone_of_your_own():
    zone = {"example.test": [("SOA", 60, "ns.example.test. me.example.test. 1 60 60 60 5")],
            "pi.example.test.": [("A", 10, "192.0.2.31"), ("TXT", 10, '"3.14159"')]}
    with DnsServer(name="dns-own", zone=zone) as own:
        assert lookup(own, "pi.example.test").answers == ["192.0.2.31"]
        assert lookup(own, "pi.example.test", "TXT", tcp=True).answers == ['"3.14159"']
        assert lookup(own, WWW).status == "REFUSED"
        assert "DNS for example.test on 127.0.0.1:" in own.banner and f"-p {own.address[1]} example.test" in own.banner
    assert own.banner == "dns-own: stopped"
    with pytest.raises(ValueError, match="exactly one SOA"):
        DnsServer(name="dns-bad", zone={"example.test": [("A", 60, "192.0.2.1")]})


# --- open to every account, and read-only: nothing to change, nothing to transfer ----------------------------

def test_a_dynamic_update_is_not_implemented_and_changes_nothing(server):
    update = dns.update.UpdateMessage("crappytaxidermy.com")
    update.replace("www", 60, "A", "203.0.113.66")  # point www somewhere else
    for send in (dns.query.udp, dns.query.tcp):
        reply = send(update, server.address[0], timeout=2, port=server.address[1])
        assert reply.rcode() == dns.rcode.NOTIMP
    assert lookup(server, WWW).records[-1].endswith("192.0.2.80")


@pytest.mark.parametrize("rtype", ["AXFR", "IXFR"])
def test_zone_transfers_are_refused(server, rtype):
    query = dns.message.make_query("crappytaxidermy.com", rtype)
    reply = dns.query.tcp(query, server.address[0], timeout=2, port=server.address[1])
    assert reply.rcode() == dns.rcode.REFUSED and not reply.answer
