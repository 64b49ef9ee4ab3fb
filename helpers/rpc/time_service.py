"""Exercise 17.3's course side: your register(server) on a SimpleXMLRPCServer the course binds and serves.

The course makes the server (127.0.0.1, a port the OS picked), calls your register(server), which registers
functions and returns, then serves it in a background thread until stop(). DeadlineTransport gives
xmlrpc.client's ServerProxy what it lacks: a time limit on every call.
"""
import http.client
import socket
import socketserver
import threading
import xmlrpc.client
from contextlib import suppress
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

from helpers.core.ports import HOST
from helpers.core.service import ThreadService
from helpers.servers.function import end_thread

TIMEOUT = 1.5  # a call gets its whole reply within this many seconds, or fails
MAX_REPLY = 1024 * 1024  # a client refuses a reply larger than this
REGISTER_TIMEOUT = 2.0  # register(server) only registers: it returns at once


class KeptConnection(http.client.HTTPConnection):
    """http.client's connection, keeping hold of its socket (http.client lets go of it once a reply is under way)."""

    kept, cut_off = None, False

    def connect(self):
        super().connect()
        self.kept = self.sock
        if self.cut_off:  # the deadline passed while it was connecting
            self.cut()

    def cut(self):
        """Shut the socket: a read waiting on it returns at once, and the reply ends there."""
        self.cut_off = True
        with suppress(OSError, AttributeError):  # not connected yet, or already closed
            self.kept.shutdown(socket.SHUT_RDWR)


class DeadlineTransport(xmlrpc.client.Transport):
    """xmlrpc.client's HTTP transport with a deadline: a call gets its whole reply within `timeout` s, or fails."""

    accept_gzip_encoding = False  # plain replies, so the size limit counts what arrives

    def __init__(self, timeout=TIMEOUT):
        super().__init__()
        self.timeout, self.cut_off = timeout, False

    def make_connection(self, host):
        if not (self._connection and self._connection[0] == host):
            chost, self._extra_headers, _ = self.get_host_info(host)
            self._connection = host, KeptConnection(chost, timeout=self.timeout)  # timeout: connect, each read
        return self._connection[1]

    def request(self, host, handler, request_body, verbose=False):
        """One call on a new connection, without the stdlib's retry; at the deadline the connection is shut."""
        conn = self.make_connection(host)
        timer = threading.Timer(self.timeout, conn.cut)
        timer.daemon = True
        timer.start()
        try:
            return self.single_request(host, handler, request_body, verbose)
        finally:
            timer.cancel()
            self.cut_off = conn.cut_off
            self.close()

    def parse_response(self, response):
        """Parse the reply as it arrives; refuse one over MAX_REPLY bytes."""
        parser, unmarshaller = self.getparser()
        size = 0
        while data := response.read(1024):
            size += len(data)
            if size > MAX_REPLY:
                raise xmlrpc.client.ResponseError(f"the reply is over {MAX_REPLY // 1024} kB")
            parser.feed(data)
        parser.close()
        return unmarshaller.close()


class QuietHandler(SimpleXMLRPCRequestHandler):
    """The stdlib handler without a log line per call, dropping silent clients, keeping track of busy threads."""

    timeout = 5

    def handle(self):
        busy = self.server.busy
        busy.add(threading.current_thread())
        try:
            super().handle()
        except SystemExit:
            pass  # the course ended a call that was still running when it stopped the server
        finally:
            busy.discard(threading.current_thread())

    def log_message(self, format, *args):
        pass  # the chapter's server prints a line per call; in a notebook it would land in any cell


class CourseXMLRPCServer(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    """The SimpleXMLRPCServer your register(server) gets: each call in a thread of its own, errors not printed."""

    daemon_threads = True

    def __init__(self, address):
        super().__init__(address, QuietHandler, logRequests=False)
        self.busy, self.registering = set(), False

    def serve_forever(self, poll_interval=0.05):
        self._not_while_registering("serve_forever")
        super().serve_forever(poll_interval)

    def handle_request(self):
        self._not_while_registering("handle_request")
        super().handle_request()

    def _not_while_registering(self, name):
        if self.registering:
            raise RuntimeError(f"register(server) called server.{name}(): leave it out, the course serves "
                               "the server itself once register returns")

    def handle_error(self, request, client_address):
        pass  # a client that left mid-call: nothing to print into the notebook


class XmlRpcFunctionServer(ThreadService):
    """Your register(server) on a CourseXMLRPCServer, served in a thread, with the course lifecycle around it."""

    kind = "your xml-rpc server"

    def __init__(self, name, register, port=0):
        super().__init__(name)
        self.register, self.port = register, port
        self.error = None  # the exception your register(server) stopped with, if any
        self.stuck = False  # True if a call to your functions was still running after stop()

    @property
    def url(self):
        """The server's URL, e.g. http://127.0.0.1:41234/"""
        return f"http://{self.address[0]}:{self.address[1]}/"

    def exposed(self):
        """The names the server would list (system.listMethods' answer, asked of the server object itself)."""
        return self.server.system_listMethods()

    def _start(self):
        self.server = CourseXMLRPCServer((HOST, self.port))
        self.address = self.server.server_address[:2]
        self.error, self.stuck = None, False
        self._register()
        self._thread = threading.Thread(target=self.server.serve_forever, name=f"{self.name}-serve", daemon=True)
        self._thread.start()

    def _register(self):
        """Call register(server) in a thread of its own, so one that never returns cannot block the notebook."""
        def call():
            try:
                self.register(self.server)
            except Exception as error:  # kept for the checker's report, and shown by the cell that starts it
                self.error = error
            except SystemExit:
                pass  # the course ended a register(server) that did not return
        self.server.registering = True
        caller = threading.Thread(target=call, name=f"{self.name}-register", daemon=True)
        caller.start()
        caller.join(REGISTER_TIMEOUT)
        if caller.is_alive():
            self.error = TimeoutError(f"register(server) did not return within {REGISTER_TIMEOUT:g} s")
            end_thread(caller)
        self.server.registering = False

    def _stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=1)
        calls = [thread for thread in list(self.server.busy) if thread.is_alive()]
        for thread in calls:  # a call to your function that never returned: end its thread
            end_thread(thread, within=0.5)
        self.stuck = any(thread.is_alive() for thread in calls)
        if calls:
            ended = "restart the kernel to end it" if self.stuck else "its thread was ended"
            print(f"{self.name}: a call to your function was still running when the course stopped the server; "
                  f"{ended}")


def run_xmlrpc_server(register, name="my-xmlrpc-server"):
    """Make a SimpleXMLRPCServer on 127.0.0.1, call register(server), serve it in the background; returns the
    running server (.url, .error, .stop())."""
    return XmlRpcFunctionServer(name, register).start()
