"""Record data/*.pcap from the course's real exchanges: `python -m helpers.packets.record_traces` (needs root)."""
import sys
from functools import partial

from scapy.all import wrpcap

from helpers.packets.capture import MESSAGE, TRACES, complete, http_head, sniff_exchange
from helpers.packets.capture_check import capture_allowed
from helpers.core.client import ask, udp_ask
from helpers.servers.http import http_server
from helpers.servers.tcp import echo_server
from helpers.servers.udp import udp_echo_server
from helpers.services.ftp import RECORDED_PASSWORD, ftp_server, login_only

# trace name -> (server factory, the exchange with a server at address, protocol)
EXCHANGES = {
    "udp_exchange": (udp_echo_server, lambda address: udp_ask(address, MESSAGE), "udp"),
    "tcp_exchange": (echo_server, lambda address: ask(address, MESSAGE), "tcp"),
    "http_exchange": (http_server, lambda address: ask(address, http_head(f"{address[0]}:{address[1]}")), "tcp"),
    # notebook 09: the password crosses in clear text. The trace keeps the course's old fixed password
    # (helpers.services.ftp.RECORDED_PASSWORD): a recording is the same on every machine and unlocks nothing
    # live, since every live FTP server makes a new password at each start and accepts no other.
    "ftp_login": (partial(ftp_server, password=RECORDED_PASSWORD), partial(login_only, password=RECORDED_PASSWORD),
                  "tcp"),
}


def record(name, folder=TRACES):
    """Run one exchange against a fresh server while capturing it; write folder/NAME.pcap."""
    factory, exchange, proto = EXCHANGES[name]
    with factory(name=f"record-{name}") as server:
        packets, _ = sniff_exchange(lambda: exchange(server.address), server.address[1], proto)
    if not complete(packets, server.address[1], proto):
        raise RuntimeError(f"{name}: the capture is incomplete ({len(packets)} packets)")
    path = folder / f"{name}.pcap"
    wrpcap(str(path), packets)
    return path, len(packets)


def main():
    """Record every trace, or say in one line why it cannot."""
    if not capture_allowed():
        print("recording needs live capture (root or CAP_NET_RAW); the traces in data/ were left as they are")
        return 1
    TRACES.mkdir(exist_ok=True)
    names = sys.argv[1:] or list(EXCHANGES)  # `record_traces ftp_login` records only that one
    for name in names:
        path, count = record(name)
        print(f"{path.relative_to(TRACES.parent)}: {count} packets, {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
