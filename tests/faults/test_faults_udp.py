"""The UDP relay: clean when no fault is set, and loss, duplication and reordering at the rates set."""
import psutil
import pytest

from helpers.faults import UdpRelay, datagram_report
from helpers.servers.udp import udp_echo_server


@pytest.fixture
def relay():
    with udp_echo_server("faults-test-udp-echo") as echo, UdpRelay(echo, name="faults-test-relay", seed=7) as running:
        yield running


def test_no_faults_every_datagram_comes_back_once_and_in_order(relay):
    assert datagram_report(relay) == {"sent": 1000, "received": 1000, "lost": 0, "duplicates": 0, "out_of_order": 0}


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_loss_rate_over_a_thousand_datagrams_is_within_tolerance(relay, rate):
    relay.up.set(loss_rate=rate)
    report = datagram_report(relay)
    assert abs(relay.stats.dropped - 1000 * rate) <= 50, relay.stats  # about 3.5 standard deviations at 0.3
    # every datagram the relay dropped is lost; a busy machine may lose a few more in its own buffers
    assert relay.stats.dropped <= report["lost"] <= relay.stats.dropped + 60 and report["duplicates"] == 0, report


def test_duplication_rate(relay):
    relay.up.set(duplicate_rate=0.1)
    report = datagram_report(relay)
    assert report["lost"] == 0 and abs(report["duplicates"] - 100) <= 40, report


def test_reordering_puts_some_datagrams_after_later_ones_but_loses_none(relay):
    relay.down.set(reorder_rate=0.1)
    report = datagram_report(relay)
    assert report["lost"] == 0 and report["duplicates"] == 0 and 40 <= report["out_of_order"] <= 160, report


def test_settings_change_between_bursts(relay):
    relay.set(loss_rate=1.0)
    assert datagram_report(relay, count=100, timeout=0.2)["received"] == 0
    relay.clear()
    assert datagram_report(relay, count=100)["received"] == 100


def test_stop_closes_its_sockets():
    with udp_echo_server("faults-test-udp-echo-2") as echo:
        relay = UdpRelay(echo, name="faults-test-relay-2").start()
        datagram_report(relay, count=10)
        peers = list(relay.peers.values())
        relay.stop()
        assert peers and all(p.is_closing() for p in peers) and not relay._thread.is_alive()
        relay.stop()


def test_the_relay_binds_its_front_only_until_a_client_comes_no_control_port():
    own = psutil.Process()
    with udp_echo_server("faults-test-udp-echo-ports") as echo:
        before = {c.laddr for c in own.net_connections("udp")} | {c.laddr for c in own.net_connections("tcp")}
        with UdpRelay(echo, name="faults-test-relay-ports") as relay:
            after = {c.laddr for c in own.net_connections("udp")} | {c.laddr for c in own.net_connections("tcp")}
    assert [tuple(a) for a in after - before] == [relay.address] and relay.address[0] == "127.0.0.1"
