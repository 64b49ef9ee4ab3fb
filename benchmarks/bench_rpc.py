"""RPC: the median round trip of double(n) in every style, all measured in one run (the helper notebook 12 plots)."""
from helpers.rpc import MsgpackRpcServer, XmlRpcServer, ZerorpcServer, chapter_client
from helpers.rpc.compare import round_trips
from helpers.rpc.grpc_double import GrpcServer
from helpers.rpc.jsonrpc_double import JsonRpcServer
from helpers.rpc.twirp_double import TwirpServer

KEYS = {"XML-RPC": "rpc_xmlrpc_us", "JSON-RPC": "rpc_jsonrpc_us", "MessagePack-RPC": "rpc_msgpack_us",
        "zerorpc": "rpc_zerorpc_us", "gRPC": "rpc_grpc_us", "Twirp": "rpc_twirp_us"}


def run(results):
    """The RPC keys for benchmarks/results.json: median µs per call of double(n), each style over one connection."""
    # rpc_zerorpc_us is the course's pyzmq client in this process; rpc_zerorpc_child_client_us is zerorpc's own
    # client, which needs gevent, timed inside its child process
    servers = [kind(name=f"bench-{kind.__name__}").start() for kind in
               (XmlRpcServer, JsonRpcServer, MsgpackRpcServer, ZerorpcServer, GrpcServer, TwirpServer)]
    try:
        rtts = round_trips(servers, count=2000, warmup=200)
        _, child_us = chapter_client(servers[3], 7, count=2000)
    finally:
        for server in servers:
            server.stop()
    out = {KEYS[label]: round(us, 1) for label, us in rtts.items()}
    out["rpc_zerorpc_child_client_us"] = round(child_us, 1)
    return out


if __name__ == "__main__":
    print(run({}))
