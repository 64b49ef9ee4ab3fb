"""Exercise 17.3's checker: the shipped solution passes; each broken XML-RPC service fails for its own reason."""
import http.client
import http.server
import socket
import threading
import time
import xmlrpc.client
from contextlib import contextmanager
from datetime import datetime, timedelta
from xmlrpc.server import SimpleXMLRPCServer

import pytest

from helpers import stop_all
from helpers.core.ports import is_listening
from helpers.rpc.checker import check_xmlrpc_time_server, xmlrpc_call
from helpers.rpc.time_service import DeadlineTransport, run_xmlrpc_server
from notebook_code import notebook_functions

BOUND = 10.0  # the checker ends within this many seconds, whatever the server does


@pytest.fixture(autouse=True)
def clean():
    yield
    stop_all()


def solution():
    return notebook_functions("solutions/17_3_xmlrpc_time_server.ipynb")["register"]


def now():
    return datetime.now().isoformat()


def check_handler(handler):
    """check_quickly() a plain http.server serving handler on 127.0.0.1 (a server that is not XML-RPC at all)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        return check_quickly(f"http://127.0.0.1:{httpd.server_address[1]}/")
    finally:
        httpd.shutdown()
        httpd.server_close()


def check_quickly(server):
    started = time.monotonic()
    result = check_xmlrpc_time_server(server, quiet=True)
    assert time.monotonic() - started < BOUND, result.report()
    return result


def registers(function, name="time"):
    """A register(server) that registers function under name."""
    return lambda server: server.register_function(function, name)


class Clock:
    """An object with a time() method, and more."""

    def time(self):
        return now()

    def set_alarm(self, when):
        raise AssertionError("the checker must never run this")


class AnswersEverything:
    """A catch-all: its _dispatch answers any method name with the time."""

    def _dispatch(self, method, params):
        return now()


def takes_any_arguments(server):
    def time(*args):
        return now()
    server.register_function(time, "time")


def with_an_extra(server):
    server.register_function(now, "time")
    server.register_function(lambda command: command, "run_command")  # never called by the checker


def calls_serve_forever(server):
    server.register_function(now, "time")
    server.serve_forever()  # as the chapter's script does: the course serves the server itself


def misspells_register_function(server):
    server.register(now, "time")


def test_the_shipped_solution_passes(capsys):
    result = check_quickly(solution())
    assert result.passed, result.report()
    assert [c.key for c in result.checks if c.passed] == ["register", "answers", "iso", "fresh", "many", "unknown",
                                                          "arguments", "survives", "only"]
    assert check_xmlrpc_time_server(solution()).passed and "Result: passed" in capsys.readouterr().out


def test_quiet_prints_nothing(capsys):
    check_xmlrpc_time_server(solution(), quiet=True)
    assert capsys.readouterr().out == ""


def test_the_shipped_exercise_is_not_solved_yet(capsys):
    skeleton = notebook_functions("exercises/17_3_xmlrpc_time_server.ipynb")["register"]
    result = check_xmlrpc_time_server(skeleton)
    assert not result.passed and result.status == "not solved yet" and result.failed is None
    assert "not solved yet" in capsys.readouterr().out


@pytest.mark.parametrize("register, reason, hint", [
    (registers(now, "get_time"), "answers", 'register_function(your_function, "time") (your server has get_time)'),
    (registers(time.ctime), "iso", "datetime.now().isoformat()"),
    (registers(datetime.now), "iso", "XML-RPC's own dateTime"),
    (registers(lambda: None), "answers", "did you forget `return`"),
    (registers(lambda: 1 / 0), "answers", "ZeroDivisionError"),
    (registers(datetime.now().isoformat), "fresh", "a method of one moment"),
    (registers(lambda: (datetime.now() - timedelta(hours=1)).isoformat()), "fresh", "on every call"),
    (lambda server: server.register_instance(AnswersEverything()), "unknown", "catch-all"),
    (takes_any_arguments, "arguments", "no *args"),
    (with_an_extra, "only", "every registered function"),
    (lambda server: server.register_instance(Clock()), "only", "register_instance"),
    (lambda server: server.register_instance(Clock(), allow_dotted_names=True), "only", "allow_dotted_names"),
    (calls_serve_forever, "register", "RuntimeError: register(server) called server.serve_forever()"),
    (misspells_register_function, "register", "AttributeError"),
])
def test_broken_services_fail_for_the_right_reason(register, reason, hint):
    result = check_quickly(register)
    assert not result.passed
    assert result.failed == reason, result.report()
    assert hint in result.hint, result.hint
    report = result.report()
    assert "Result: failed" in report and f"Hint: {result.hint}" in report


def test_what_else_is_exposed_is_named():
    assert "also exposes run_command" in check_quickly(with_an_extra).report()
    assert "also exposes set_alarm" in check_quickly(lambda server: server.register_instance(Clock())).report()


def test_passing_checks_are_kept_next_to_the_failing_one():
    result = check_quickly(takes_any_arguments)
    assert {"register", "answers", "iso", "fresh", "many", "unknown"} <= {c.key for c in result.checks if c.passed}


@contextmanager
def plain_server(register, serve=lambda server: server.serve_forever(poll_interval=0.05)):
    """A SimpleXMLRPCServer started elsewhere, as a learner's script would: yields its URL."""
    server = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False)
    register(server)
    thread = threading.Thread(target=serve, args=(server,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        if thread.is_alive():
            server.shutdown()
        server.server_close()
        thread.join(timeout=1)


def test_black_box_by_url_by_address_and_by_running_service():
    service = run_xmlrpc_server(solution(), name="xmlrpc-time-under-test")
    assert check_quickly(service).passed
    assert check_quickly(service.url).passed and check_quickly(service.address).passed
    with plain_server(solution()) as url:
        result = check_quickly(url)
    assert result.passed and "register" not in [c.key for c in result.checks]


def test_a_server_that_serves_one_request_then_stops():
    def once(server):
        server.handle_request()
        server.server_close()

    with plain_server(registers(now), serve=once) as url:
        result = check_quickly(url)
    assert result.failed == "many" and "handle_request() serves one" in result.hint
    assert "call 2: nothing is listening" in result.report()


def test_extras_of_a_server_started_elsewhere_are_found_by_listing_or_by_probing():
    def with_system(server):
        server.register_function(now, "time")
        server.register_function(lambda command: pytest.fail("the checker ran it"), "system")

    with plain_server(with_system) as url:  # no introspection: found by a probe that cannot run it
        assert "also exposes system" in check_quickly(url).report()
    with plain_server(lambda server: (with_an_extra(server), server.register_introspection_functions())) as url:
        result = check_quickly(url)
    assert result.failed == "only" and "also exposes run_command" in result.report()


def test_a_url_where_nothing_listens_is_one_clear_line():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        port = probe.getsockname()[1]
        result = check_quickly(f"http://127.0.0.1:{port}/")
    assert result.failed == "answers" and result.hint.startswith("Nothing listens at that URL")
    [line] = [line for line in result.report().splitlines() if "✗" in line]
    assert f"nothing is listening on 127.0.0.1:{port} (connection refused)" in line


def test_a_hanging_time_function_is_cut_off_and_its_thread_ended(capsys):
    calls = []

    def hangs(server):
        def time_():
            calls.append(threading.current_thread())
            while True:
                time.sleep(0.05)  # forever, until the course ends the thread
        server.register_function(time_, "time")

    result = check_quickly(hangs)
    assert result.failed == "answers" and "no whole reply within 1.5 s" in result.report()
    assert "must return at once" in result.hint
    assert "its thread was ended" in capsys.readouterr().out
    assert calls and not any(thread.is_alive() for thread in calls)


@contextmanager
def raw_server(serve_one):
    """A TCP server that runs serve_one(conn, stopping) for each client, in threads; yields its URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    stopping = threading.Event()

    def accept():
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn, stopping), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stopping.set()
        listener.close()


def silent(conn, stopping):
    with conn:
        stopping.wait()  # says nothing, keeps the connection open


def drips(conn, stopping):
    with conn:
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<?xml version='1.0'?>\n<methodResponse>")
        while not stopping.wait(0.05):  # a byte at a time, forever: each read succeeds, the reply never ends
            try:
                conn.sendall(b" ")
            except OSError:
                return


@pytest.mark.parametrize("serve_one", [silent, drips])
def test_the_checker_ends_whatever_the_server_does(serve_one):
    with raw_server(serve_one) as url:
        started = time.monotonic()
        result = check_xmlrpc_time_server(url, quiet=True)
        took = time.monotonic() - started
    assert result.failed == "answers" and "no whole reply within 1.5 s" in result.report()
    assert took < 3, f"one call is cut at its deadline, so the check took {took:.1f} s"


def test_a_dripping_reply_is_cut_at_the_deadline():
    with raw_server(drips) as url:
        started = time.monotonic()
        answer = xmlrpc_call(url, "time", timeout=0.5)
        assert time.monotonic() - started < 1.0
    assert answer.kind == "slow" and answer.error == "no whole reply within 0.5 s"


def test_a_reply_over_the_size_limit_is_refused():
    service = run_xmlrpc_server(registers(lambda: "x" * 2_000_000, "big"), name="xmlrpc-big-under-test")
    answer = xmlrpc_call(service.url, "big")
    assert answer.kind == "not-xmlrpc" and "over 1024 kB" in answer.error


@pytest.mark.parametrize("status, hint", [(404, "Give the server's own URL"), (200, "does not answer in XML-RPC")])
def test_a_web_page_instead_of_xmlrpc_is_named(status, hint):
    class Page(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body><h1>Not here</h1></body>")

        def log_message(self, *args):
            pass

    result = check_handler(Page)
    assert result.failed == "answers" and hint in result.hint


def test_an_html_error_page_for_an_unknown_method_is_not_a_fault():
    class TimeOrPage(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if b"<methodName>time</methodName>" in body and b"<param>" not in body:
                reply = (f"<?xml version='1.0'?><methodResponse><params><param><value><string>{now()}"
                         "</string></value></param></params></methodResponse>").encode()
                self.send_response(200)
            else:
                reply = b"<html><body>500 Internal Server Error</body></html>"
                self.send_response(500)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    result = check_handler(TimeOrPage)
    assert result.failed == "unknown" and "a Fault inside an HTTP 200 reply" in result.hint
    assert "no_such_method() got HTTP 500" in result.report()


def test_the_course_server_stops_promptly_and_leaves_nothing_behind():
    server = run_xmlrpc_server(solution(), name="stops-under-test")
    assert xmlrpc_call(server.url, "time").value.startswith(str(datetime.now().year))
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 0.5 and not server.stuck
    assert not is_listening(server.address) and not server._thread.is_alive()


def test_a_register_that_never_returns_does_not_block_the_notebook():
    release = threading.Event()
    started = time.monotonic()
    server = run_xmlrpc_server(lambda server: release.wait(), name="slow-register-under-test")
    release.set()
    assert time.monotonic() - started < 3
    assert isinstance(server.error, TimeoutError) and "did not return within 2 s" in str(server.error)


def test_the_transport_gives_the_proxy_a_deadline():
    with raw_server(silent) as url:
        transport = DeadlineTransport(timeout=0.3)
        started = time.monotonic()
        with pytest.raises(http.client.RemoteDisconnected):
            xmlrpc.client.ServerProxy(url, transport=transport).time()
        assert time.monotonic() - started < 0.8 and transport.cut_off
