"""The RPC explorer, kernel side: clicks call double(n) over each protocol and show the reply, the time and the wire."""
import html
import re
import time

import pytest

from helpers.rpc import MsgpackRpcServer, XmlRpcServer, ZerorpcServer
from helpers.rpc.explorer import number, rpc_explorer
from helpers.rpc.grpc_double import GrpcServer
from helpers.rpc.jsonrpc_double import JsonRpcServer
from helpers.rpc.twirp_double import TwirpServer

KINDS = [XmlRpcServer, JsonRpcServer, MsgpackRpcServer, ZerorpcServer, GrpcServer, TwirpServer]
ON_THE_WIRE = {"XML-RPC": "<int>7</int>", "JSON-RPC": '"params": [7]', "MessagePack-RPC": "a6 64 6f 75 62 6c 65",
               "zerorpc": "double", "gRPC": "00 00 00 00 02 08 07", "Twirp": '{"value": 7}'}


@pytest.fixture(scope="module")
def servers():
    started = [kind(name=f"explorer-{kind.__name__}").start() for kind in KINDS]
    yield started
    for server in started:
        server.stop()


def click(explorer, server, text):
    """Choose server, type text, press the button."""
    explorer.protocol.value = server
    explorer.number.value = text
    explorer.button.click()
    return explorer.reply.value


def test_the_parts_carry_the_classes_the_browser_check_uses(servers):
    explorer = rpc_explorer(servers)
    assert "dis-rpc-explorer" in explorer._dom_classes
    for part, name in [(explorer.protocol, "dis-rpc-protocol"), (explorer.button, "dis-rpc-call"), (explorer.reply,
                       "dis-rpc-reply"), (explorer.wire, "dis-rpc-wire"), (explorer.number, "dis-rpc-n")]:
        assert name in part._dom_classes
    assert [label for label, _ in explorer.protocol.options] == list(ON_THE_WIRE)


def test_a_click_calls_double_over_each_protocol_and_shows_the_wire(servers):
    explorer = rpc_explorer(servers)
    for server in servers:
        reply = click(explorer, server, "7")
        assert explorer.result == 14
        assert "double(7) = 14" in reply and server.label in reply
        assert re.search(r"round trip \d+\.\d\d ms, [\d,]+ bytes out, [\d,]+ bytes back", reply)
        assert ON_THE_WIRE[server.label] in html.unescape(explorer.wire.value)
        assert "14" in explorer.wire.value or "0e" in explorer.wire.value


def test_text_instead_of_a_number_shows_the_protocols_error_in_one_line(servers):
    explorer = rpc_explorer(servers)
    for server in servers:
        reply = click(explorer, server, "seven")
        assert explorer.result is None and explorer.button.disabled is False
        assert ("answered with an error" in reply) or ("protobuf refused it" in reply and server.label == "gRPC")
        assert "\n" not in reply


def test_a_stopped_server_is_one_red_line_within_the_timeout():
    server = JsonRpcServer(name="explorer-gone").start()
    explorer = rpc_explorer([server], timeout=0.5)
    click(explorer, server, "3")
    server.stop()
    start = time.monotonic()
    reply = click(explorer, server, "4")
    assert time.monotonic() - start < 2
    assert "nothing is listening" in reply and "#b00" in reply and explorer.result is None


def test_a_restarted_server_gets_a_new_client(servers):
    grpc_server = next(s for s in servers if s.label == "gRPC")
    explorer = rpc_explorer([grpc_server])
    click(explorer, grpc_server, "5")
    grpc_server.stop()
    grpc_server.start()
    click(explorer, grpc_server, "6")
    assert explorer.result == 12 and len(explorer.clients) == 2
    explorer.close_clients()


def test_number_reads_ints_floats_and_leaves_text_alone():
    assert (number(" 7 "), number("2.5"), number("-3"), number("seven"), number("")) == (7, 2.5, -3, "seven", "")
