"""One line to put the fault proxy in front of any course service: `proxy = in_front_of(server)`."""
from helpers.faults.tcp import TcpProxy
from helpers.faults.udp import UdpRelay


def in_front_of(service, name=None, udp=False, **faults):
    """Start a proxy (or, with udp=True, a UDP relay) relaying to service; use its `.address` instead of the service's.

    The proxy also has `.url` (web APIs) and `.endpoint` (ZeroMQ). Faults may be given here or set later.
    """
    if isinstance(service, (str, tuple, list)):
        label = str(service).removeprefix("tcp://") if isinstance(service, str) else f"{service[0]}:{service[1]}"
    else:
        label = service.name
    kind = UdpRelay if udp else TcpProxy
    return kind(service, name=name or f"faults-{label}", **faults).start()
