"""Remote procedure calls (notebook 12): double(n) over XML-RPC, JSON-RPC, MessagePack, zerorpc, gRPC and Twirp.

Only the light modules are imported here, because `import helpers` reads this package's catalogue: import
JSON-RPC (`helpers.rpc.jsonrpc_double`), gRPC (`helpers.rpc.grpc_double`), Twirp, the explorer and the
comparison from their own modules. Nothing here, or anywhere in the course's kernel, imports zerorpc: it
brings gevent, so it runs in a child process (`helpers/rpc/zerorpc_child.py`).
"""
from helpers.rpc.checker import check_xmlrpc_time_server
from helpers.rpc.client import RpcClient, RpcFault
from helpers.rpc.double import double
from helpers.rpc.msgpack_double import REFUSAL, MsgpackRpcServer, tornado_needs
from helpers.rpc.wire import show_bytes, show_parts
from helpers.rpc.xmlrpc_double import DottedServer, TimeoutTransport, XmlRpcServer, xmlrpc_proxy
from helpers.rpc.zerorpc_double import ZerorpcServer, chapter_client, clients_compared, event, gevent_in

__all__ = ["REFUSAL", "DottedServer", "MsgpackRpcServer", "RpcClient", "RpcFault", "TimeoutTransport", "XmlRpcServer",
           "ZerorpcServer", "chapter_client", "check_xmlrpc_time_server", "clients_compared", "double", "event", "gevent_in", "show_bytes",
           "show_parts", "tornado_needs", "xmlrpc_proxy"]
