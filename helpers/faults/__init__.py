"""The fallacies lab (notebook 16): a fault-injecting TCP proxy and UDP relay in the spirit of Toxiproxy,
and one small demonstration module per fallacy of distributed computing."""
from helpers.faults.admin import push_config, read_config, write_config
from helpers.faults.front import in_front_of
from helpers.faults.homogeneous import addresses_of, echo_over, ipv6_loopback
from helpers.faults.latency import batched, chatty, plot_sweep, sweep, through
from helpers.faults.reliable import add, counter_server, retry
from helpers.faults.secure import PASSWORD, LoginServer, log_in, printable, session_ca
from helpers.faults.settings import Faults, FaultStats
from helpers.faults.tcp import TcpProxy, tcp_proxy
from helpers.faults.topology import Directory, PinnedClient, ResolvingClient
from helpers.faults.transfer import codec_costs, echo_ms, new_connection_us, one_connection_us
from helpers.faults.udp import UdpRelay, datagram_report, udp_relay
from helpers.faults.widget import fault_panel

__all__ = ["PASSWORD", "Directory", "FaultStats", "Faults", "LoginServer", "PinnedClient", "ResolvingClient",
           "TcpProxy", "UdpRelay", "add", "addresses_of", "batched", "chatty", "codec_costs",
           "counter_server", "datagram_report", "echo_ms", "echo_over", "fault_panel", "in_front_of",
           "ipv6_loopback", "log_in", "new_connection_us", "one_connection_us",
           "plot_sweep", "printable", "push_config", "read_config", "retry", "session_ca", "sweep",
           "tcp_proxy", "through", "udp_relay", "write_config"]
