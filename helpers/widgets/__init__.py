"""Widgets shared by every topic: the services panel, request consoles, the raw TCP console."""
from helpers.widgets.consoles import netcat, protocol_console, talk
from helpers.widgets.panel import services_panel
from helpers.widgets.request_console import request_console, show_bytes

__all__ = ["netcat", "protocol_console", "request_console", "services_panel", "show_bytes", "talk"]
