"""Sockets and framing (notebooks 01, 02) and exercise 17.1's checker."""
from helpers.sockets.checker import check_time_server
from helpers.sockets.datagrams import in_thread, too_long
from helpers.sockets.framing import Delimiter, FixedSize, LengthPrefix, recv_message, send_message
from helpers.sockets.multi import one_at_a_time_server, selector_server, talk_at_once, threaded_server
from helpers.sockets.recorder import recv_recorder
from helpers.sockets.views import framing_view, recv_view, timeline_view

__all__ = ["Delimiter", "FixedSize", "LengthPrefix", "check_time_server", "framing_view", "in_thread",
           "one_at_a_time_server", "recv_message", "recv_recorder", "recv_view", "selector_server", "send_message",
           "talk_at_once", "threaded_server", "timeline_view", "too_long"]
