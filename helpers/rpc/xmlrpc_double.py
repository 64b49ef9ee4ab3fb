"""XML-RPC (examples 17-11 and 17-12): the standard library's server and client, with a timeout and limits."""
import base64
import secrets
import socketserver
import xmlrpc.client
from xml.parsers.expat import ExpatError
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

from helpers.core.credentials import new_secret
from helpers.core.errors import ServiceError, describe
from helpers.core.ports import HOST
from helpers.core.service import ClosesConnections, SocketServerService
from helpers.rpc.client import TIMEOUT, RpcClient, RpcFault
from helpers.rpc.double import DRAIN, MAX_BODY, double, too_big
from helpers.rpc.wire import TappedConnection


class TimeoutTransport(xmlrpc.client.Transport):
    """xmlrpc.client's HTTP transport with a timeout on its connections (ServerProxy takes none itself)."""

    def __init__(self, timeout=TIMEOUT):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self.timeout  # used when it connects, and for every read after
        return conn


class TappedTransport(TimeoutTransport):
    """The same transport on a TappedConnection: every byte out and back is kept (.conn.sent, .conn.received)."""

    def make_connection(self, host):
        if not (self._connection and self._connection[0] == host):
            chost, self._extra_headers, _ = self.get_host_info(host)
            self._connection = host, TappedConnection(chost, timeout=self.timeout)
        return self._connection[1]


class LimitedHandler(SimpleXMLRPCRequestHandler):
    """The stdlib handler, quiet, dropping silent clients, and answering a body over 1 MiB with a Fault."""

    timeout = 5

    def do_POST(self):
        size = int(self.headers.get("Content-Length") or 0)
        self.server.service.stats.message(size, 0)
        if size <= MAX_BODY:
            return super().do_POST()
        left = min(size, DRAIN)
        while left > 0 and (chunk := self.rfile.read1(min(left, 65536))):
            left -= len(chunk)
        fault = xmlrpc.client.dumps(xmlrpc.client.Fault(1, too_big(size)), methodresponse=True).encode()
        self.send_response(200)  # XML-RPC answers a fault with 200 OK: the fault is in the body
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(fault)))
        self.end_headers()
        self.wfile.write(fault)
        self.close_connection = True

    def log_message(self, format, *args):
        pass  # the chapter's server prints a line per request; in a notebook it would land in any cell


class OwnerOnlyHandler(LimitedHandler):
    """LimitedHandler that first checks HTTP Basic authentication (as supervisord's XML-RPC interface does):
    a call without the server's per-start password gets 401 Unauthorized, before anything is looked up."""

    def do_POST(self):
        given = self.headers.get("Authorization", "").encode()
        if not secrets.compare_digest(given, self.server.service.authorization.encode()):
            self.server.service.stats.add(errors=1)
            body = b"401 Unauthorized: this server asks for the password it was started with\n"
            self.send_response(401)
            self.send_header("WWW-Authenticate", f'Basic realm="{self.server.service.name}"')
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        super().do_POST()


class ThreadedXMLRPCServer(ClosesConnections, socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    """SimpleXMLRPCServer with a thread per client (the plain one serves one client at a time)."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        self.service.stats.add(errors=1)


class XmlRpcServer(SocketServerService):
    """Example 17-11 as a course service: double() registered, on 127.0.0.1 and a port the OS picks."""

    kind = "xml-rpc thread"
    label = "XML-RPC"
    handler = LimitedHandler

    def __init__(self, name="xmlrpc", port=0):
        super().__init__(name)
        self.port = port

    @property
    def url(self):
        """The server's URL, e.g. http://127.0.0.1:41234/"""
        return f"http://{self.address[0]}:{self.address[1]}/"

    def register(self, server):
        """What this server exposes: the chapter's double(), and the system.* methods that list it."""
        server.register_function(double, "double")
        server.register_introspection_functions()

    @property
    def owner_url(self):
        """The URL its owner's clients use (the same as url: this server admits anyone)."""
        return self.url

    @property
    def auth_headers(self):
        """Headers a raw request needs (none here)."""
        return {}

    def _make(self):
        server = ThreadedXMLRPCServer((HOST, self.port), self.handler, logRequests=False)
        server.service = self
        self.register(server)
        return server

    def client(self, timeout=TIMEOUT):
        """A client that records the wire."""
        return XmlRpcClient(self, timeout)


class Station:
    """A harmless service object: double() is meant to be called; settings and log are its own business."""

    def __init__(self):
        self.settings = {"max_n": 1000, "owner": "mission control"}
        self.log = []

    def double(self, num):
        self.log.append(num)
        return double(num)


class DottedServer(XmlRpcServer):
    """A server that exposes a Station with register_instance(..., allow_dotted_names=True): what not to do.

    Dotted names hand the instance's objects to every caller, so this demonstration admits only its owner: each
    start makes a new password (HTTP Basic authentication; xmlrpc_proxy() sends it). Stop it right after use.
    """

    user = "owner"
    handler = OwnerOnlyHandler

    def __init__(self, name="xmlrpc-dotted", port=0, dotted=True):
        super().__init__(name, port)
        self.station, self.dotted = Station(), dotted
        self.password = None

    @property
    def owner_url(self):
        """The URL with the user and password in it, as ServerProxy takes them: http://owner:<password>@host:port/"""
        return f"http://{self.user}:{self.password}@{self.address[0]}:{self.address[1]}/"

    @property
    def authorization(self):
        """The Authorization header a call must carry."""
        return "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()

    @property
    def auth_headers(self):
        return {"Authorization": self.authorization}

    def _make(self):
        self.password = new_secret()  # a new one at every start, never printed
        return super()._make()

    def register(self, server):
        server.register_instance(self.station, allow_dotted_names=self.dotted)


def xmlrpc_proxy(server, timeout=TIMEOUT):
    """The chapter's ServerProxy, with a timeout (through its transport), and the password of a server that asks one."""
    return xmlrpc.client.ServerProxy(getattr(server, "owner_url", server.url), transport=TimeoutTransport(timeout))


class XmlRpcClient(RpcClient):
    """ServerProxy on a TappedTransport: the chapter's client, recording each call's bytes."""

    protocol = "XML-RPC"

    def __init__(self, server, timeout=TIMEOUT):
        super().__init__(server, timeout)
        self.transport = TappedTransport(timeout)
        self.proxy = xmlrpc.client.ServerProxy(getattr(server, "owner_url", server.url), transport=self.transport)

    def _call(self, method, args):
        try:
            return getattr(self.proxy, method)(*args)
        except xmlrpc.client.Fault as fault:
            raise RpcFault(f"XML-RPC Fault {fault.faultCode}: {fault.faultString}") from None
        except (OSError, xmlrpc.client.ProtocolError) as error:
            raise ServiceError(describe(error, self.server.address, self.timeout)) from None
        finally:
            self._record()

    def _send(self, body):
        conn = self.transport.make_connection(self.server.url[7:].rstrip("/"))
        conn.forget()
        try:
            headers = {"Content-Type": "text/xml", **getattr(self.server, "auth_headers", {})}
            conn.request("POST", "/RPC2", body=body, headers=headers)
            reply = conn.getresponse().read()
            (value,), _ = xmlrpc.client.loads(reply)
            return value
        except xmlrpc.client.Fault as fault:
            raise RpcFault(f"XML-RPC Fault {fault.faultCode}: {fault.faultString}") from None
        except (ExpatError, ValueError, xmlrpc.client.ResponseError) as error:
            raise ServiceError(f"the reply is not XML-RPC: {error}") from None
        except OSError as error:
            raise ServiceError(describe(error, self.server.address, self.timeout)) from None
        finally:
            conn.close()
            self._record()

    def _record(self):
        conn = self.transport._connection[1]
        if conn is not None:
            self.last.sent = [("HTTP request", bytes(conn.sent))]
            self.last.received = [("HTTP reply", bytes(conn.received))]
            conn.forget()

    def close(self):
        self.transport.close()
