"""Plumbing for the Data in Space course: background servers, clients and widgets."""
from .catalog import SERVERS, serve, stop
from .client import ask, udp_ask
from .env_check import environment_report
from .errors import ServiceError
from .panel import services_panel
from .ports import HOST, free_port
from .registry import running, stop_all
from .widgets import request_console

__all__ = ["SERVERS", "HOST", "ServiceError", "ask", "environment_report", "free_port",
           "request_console", "running", "serve", "services_panel", "stop", "stop_all", "udp_ask"]

# sockets, framing and exercise 17.1 (notebooks 01, 02)
from .checkers import check_time_server
from .consoles import netcat, protocol_console
from .function_server import run_server

__all__ += ["check_time_server", "netcat", "protocol_console", "run_server"]
