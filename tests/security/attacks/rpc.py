"""Two-account attacks on notebook 12's RPC servers: double(num) is open to all, the dotted-names demo is not."""
import os
import xmlrpc.client
from pathlib import Path
from types import SimpleNamespace

from kit import Attack, Breach

TIMEOUT = 5
DOUBLE_ONLY = "it serves double(num) only: nothing of the owner's to read, nothing to write or run"
PLANTED = "pwned-by-classmate"


def planted(facts):
    """The file a successful attack would create in the owner's home."""
    return Path(facts["home"]) / PLANTED


def shell(facts):
    """The command a classmate tries to run as the owner."""
    return f"touch {planted(facts)}"


def nothing_planted(facts, said):
    """said, once it is sure the classmate's command left no file behind."""
    if os.path.exists(planted(facts)):
        raise Breach(f"{planted(facts)} was created")
    return said


def server_of(facts):
    """What the course's clients need to know of a server, rebuilt from the facts any account can see."""
    host, port = facts["host"], facts["port"]
    return SimpleNamespace(name="theirs", address=(host, port), url=f"http://{host}:{port}",
                           owner_url=f"http://{host}:{port}/", auth_headers={},
                           endpoint=facts.get("endpoint"), target=f"{host}:{port}")


def owner_calls(server):
    """The owner calls double(7) with the server's own course client; facts are its address (and endpoint)."""
    with server.client(timeout=TIMEOUT) as client:
        assert client.double(7) == 14
    facts = {"host": server.address[0], "port": server.address[1]}
    if getattr(server, "endpoint", None):
        facts["endpoint"] = server.endpoint
    return facts, []


# XML-RPC

def xmlrpc_proxy_of(facts, user=None):
    """A ServerProxy on the owner's server, with a made-up user and password if user is given."""
    auth = f"{user}:guessed@" if user else ""
    from helpers.rpc import TimeoutTransport
    return xmlrpc.client.ServerProxy(f"http://{auth}{facts['host']}:{facts['port']}/",
                                     transport=TimeoutTransport(TIMEOUT))


def xmlrpc_lists_double_only(facts):
    names = set(xmlrpc_proxy_of(facts).system.listMethods())
    extra = names - {"double", "system.listMethods", "system.methodHelp", "system.methodSignature"}
    if extra:
        raise Breach(f"it also offers {sorted(extra)}")
    return f"listMethods: only double and system.* ({sorted(names)})"


def xmlrpc_refuses(method):
    def attempt(facts):
        try:
            answer = getattr(xmlrpc_proxy_of(facts), method)(shell(facts))
        except xmlrpc.client.Fault as fault:
            return nothing_planted(facts, f"Fault {fault.faultCode}: {fault.faultString}")
        raise Breach(f"{method}() answered {answer!r}")
    return attempt


def xmlrpc_walks_to_class(facts):
    try:
        answer = getattr(xmlrpc_proxy_of(facts), "double.__class__")()  # the proxy's own attribute would not travel
    except xmlrpc.client.Fault as fault:
        return f"Fault {fault.faultCode}: {fault.faultString}"
    raise Breach(f"double.__class__ answered {answer!r}")


# the dotted-names demonstration (notebook 12 starts it, only inside one cell)

def start_dotted():
    from helpers.rpc import DottedServer
    return DottedServer(name="xmlrpc-dotted").start()


def dotted_owner(server):
    """The owner walks into its Station as the notebook does; its settings and log are as the owner left them."""
    from helpers.rpc import xmlrpc_proxy
    station = xmlrpc_proxy(server, timeout=TIMEOUT)
    assert station.double(21) == 42
    log, settings = station.log.copy(), station.settings.copy()
    assert set(log) == {21}, f"someone else's calls reached the station: {log}"
    assert settings == {"max_n": 1000, "owner": "mission control"}, f"the settings were changed: {settings}"
    return {"host": server.address[0], "port": server.address[1]}, [server.password]


def dotted_walks(user):
    """Walk to the Station's log and settings through dotted names, with no password or a guessed one."""
    def attempt(facts):
        station = xmlrpc_proxy_of(facts, user)
        try:
            log = station.log.copy()
            removed = station.settings.popitem()
        except xmlrpc.client.ProtocolError as error:
            return f"HTTP {error.errcode} {error.errmsg}"
        raise Breach(f"walked into the owner's Station: read its log {log}, removed its setting {removed}")
    return attempt


# JSON-RPC, MessagePack-RPC, zerorpc, gRPC, Twirp

def jsonrpc_refuses(method):
    def attempt(facts):
        from helpers.rpc.client import RpcFault
        from helpers.rpc.jsonrpc_double import JsonRpcClient
        try:
            answer = JsonRpcClient(server_of(facts), TIMEOUT).call(method, shell(facts))
        except RpcFault as fault:
            return nothing_planted(facts, str(fault))
        raise Breach(f"{method}() answered {answer!r}")
    return attempt


def msgpack_client(facts):
    from helpers.rpc.msgpack_double import MsgpackRpcClient
    return MsgpackRpcClient(server_of(facts), TIMEOUT)


def refuses(make_client, method):
    """An attempt to call method (with a shell command) on a client make_client(facts) opens: a Fault is the refusal."""
    def attempt(facts):
        from helpers.rpc.client import RpcFault
        client = make_client(facts)
        try:
            answer = client.call(method, shell(facts))
        except RpcFault as fault:
            return nothing_planted(facts, str(fault))
        finally:
            client.close()
        raise Breach(f"{method}() answered {answer!r}")
    return attempt


def zerorpc_client(facts):
    from helpers.rpc.zerorpc_double import ZerorpcClient
    return ZerorpcClient(server_of(facts), TIMEOUT)


def zerorpc_lists_double_only(facts):
    client = zerorpc_client(facts)
    try:
        names = client.call("_zerorpc_list")
    finally:
        client.close()
    if set(names) != {"double"}:
        raise Breach(f"it offers {names}")
    return f"_zerorpc_list: {names}"


def grpc_refuses(path):
    """Call a method path the Doubler service does not have (another service, or reflection to find one)."""
    def attempt(facts):
        from helpers.rpc.grpc_double import RpcError, channel
        with channel(f"{facts['host']}:{facts['port']}") as chan:
            try:
                answer = chan.unary_unary(path)(shell(facts).encode(), timeout=TIMEOUT)
            except RpcError as error:
                return nothing_planted(facts, f"{error.code().name}: {error.details()}")
        raise Breach(f"{path} answered {answer!r}")
    return attempt


def twirp_refuses(route):
    def attempt(facts):
        import requests
        reply = requests.post(f"http://{facts['host']}:{facts['port']}{route}", json={"command": shell(facts)},
                              timeout=TIMEOUT)
        if reply.status_code < 400:
            raise Breach(f"POST {route} -> {reply.status_code} {reply.text[:80]}")
        return nothing_planted(facts, f"HTTP {reply.status_code} {reply.text[:120]}")
    return attempt


ATTACKS = {
    "xmlrpc": Attack(owner=owner_calls, open=DOUBLE_ONLY + " (registered functions only, no instance)", tries=[
        ("list what the server offers", xmlrpc_lists_double_only, r"only double and system"),
        ("walk to double.__class__ with a dotted name", xmlrpc_walks_to_class, r"Fault 1: .*not supported"),
        ("call os.system to write into the owner's home", xmlrpc_refuses("os.system"), r"Fault 1: .*not supported"),
    ]),
    "xmlrpc-dotted": Attack(owner=dotted_owner, start=start_dotted, tries=[
        ("walk into the Station's log and settings with no password", dotted_walks(None), r"^HTTP 401 Unauthorized$"),
        ("the same with a guessed password", dotted_walks("owner"), r"^HTTP 401 Unauthorized$"),
    ]),
    "jsonrpc": Attack(owner=owner_calls, open=DOUBLE_ONLY, tries=[
        ("call os.system to write into the owner's home", jsonrpc_refuses("os.system"), r"-32601 Method not found"),
        ("call __import__", jsonrpc_refuses("__import__"), r"-32601 Method not found"),
    ]),
    "msgpack-rpc": Attack(owner=owner_calls, open=DOUBLE_ONLY, tries=[
        ("call os.system to write into the owner's home", refuses(msgpack_client, "os.system"), r"no method 'os\.system'"),
    ]),
    "zerorpc": Attack(owner=owner_calls, open=DOUBLE_ONLY, tries=[
        ("list what the server offers", zerorpc_lists_double_only, r"_zerorpc_list: \['double'\]"),
        ("call os.system to write into the owner's home", refuses(zerorpc_client, "os.system"), r"zerorpc ERR NameError"),
    ]),
    "grpc": Attack(owner=owner_calls, open=DOUBLE_ONLY + " (the Doubler service, no reflection)", tries=[
        ("ask server reflection for other services",
         grpc_refuses("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"), r"^UNIMPLEMENTED"),
        ("call a method Doubler does not have", grpc_refuses("/space.Doubler/System"), r"^UNIMPLEMENTED"),
    ]),
    "twirp": Attack(owner=owner_calls, open=DOUBLE_ONLY, tries=[
        ("POST to another route", twirp_refuses("/twirp/os/system"), r"HTTP 404 .*bad_route"),
    ]),
}
