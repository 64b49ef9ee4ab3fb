"""Servers every topic may use, by name."""
from helpers.servers.http import http_server
from helpers.servers.redis import redis_server
from helpers.servers.tcp import echo_server
from helpers.servers.udp import udp_echo_server

SERVERS = {
    "echo": (echo_server, "TCP echo: sends back every byte it receives"),
    "udp-echo": (udp_echo_server, "UDP echo: each datagram comes straight back"),
    "redis": (redis_server, "a real redis-server, no persistence, behind a password made at each start"),
    "http": (http_server, "a tiny web server with one page at / (for nc-style experiments)"),
}
