"""The sockets topic's servers, by name (notebook 01)."""
from helpers.sockets.time_servers import tcp_time_server, udp_time_server

SERVERS = {
    "udp-time": (udp_time_server, "the chapter's UDP server: 'Are you talking to me?', your address, its clock"),
    "tcp-time": (tcp_time_server, "the chapter's TCP server: one recv(), then 'Are you talking to me?'"),
}
