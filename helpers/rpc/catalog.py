"""The RPC servers `python -m helpers serve NAME` can start (each module imported only when a server is made)."""
from helpers.core.catalog import lazy

SERVERS = {
    "xmlrpc": (lazy("helpers.rpc.xmlrpc_double", "XmlRpcServer"), "the chapter's XML-RPC server: double(num) (example 17-11)"),
    "jsonrpc": (lazy("helpers.rpc.jsonrpc_double", "JsonRpcServer"), "JSON-RPC 2.0 over HTTP: double(num), jsonrpcserver 5"),
    "msgpack-rpc": (lazy("helpers.rpc.msgpack_double", "MsgpackRpcServer"),
                    "MessagePack-RPC requests on a ZeroMQ REP socket"),
    "zerorpc": (lazy("helpers.rpc.zerorpc_double", "ZerorpcServer"), "the chapter's zerorpc server, in a child process"),
    "grpc": (lazy("helpers.rpc.grpc_double", "GrpcServer"), "gRPC: space.Doubler from data/rpc_double.proto"),
    "twirp": (lazy("helpers.rpc.twirp_double", "TwirpServer"),
              "Twirp: POST /twirp/space.Doubler/Double with JSON or protobuf"),
}
