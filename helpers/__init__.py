"""Plumbing for the Data in Space course: background servers, clients and widgets.

The course-wide names are here; each topic's own names come from its package
(`from helpers.sockets import recv_recorder`, `from helpers.packets import capture_tcp`).
"""
from helpers.core.catalog import serve, servers, stop
from helpers.core.client import ask, udp_ask
from helpers.core.credentials import command_line
from helpers.core.env_check import environment_report
from helpers.core.errors import ServiceError
from helpers.core.ports import HOST, free_port
from helpers.core.registry import running, stop_all
from helpers.servers.function import run_server
from helpers.widgets import netcat, protocol_console, request_console, services_panel

__all__ = ["HOST", "ServiceError", "ask", "command_line", "environment_report", "free_port", "netcat", "protocol_console",
           "request_console", "run_server", "running", "serve", "servers", "services_panel", "stop", "stop_all",
           "udp_ask"]
