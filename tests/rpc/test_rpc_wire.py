"""The wire as the clients catch it: a tapped HTTP connection keeps every byte, and bytes are shown as text or hex."""
import http.server
import threading

from helpers.rpc.wire import TappedConnection, hexdump, is_text, show_bytes, show_parts


class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_tapped_connection_keeps_both_directions_exactly():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = TappedConnection(*server.server_address, timeout=2)
        for body in (b"first", bytes(range(256)) * 40):
            conn.forget()
            conn.request("POST", "/x", body=body)
            reply = conn.getresponse()
            assert reply.read() == body
            assert conn.sent.startswith(b"POST /x HTTP/1.1\r\n") and conn.sent.endswith(b"\r\n\r\n" + body)
            assert conn.received.startswith(b"HTTP/1.0 200 OK\r\n") or conn.received.startswith(b"HTTP/1.1 200 OK\r\n")
            assert conn.received.endswith(b"\r\n\r\n" + body)
        conn.close()
    finally:
        server.shutdown()
        server.server_close()


def test_bytes_are_shown_as_text_or_hex():
    assert is_text(b"POST / HTTP/1.1\r\n") and not is_text(b"\x94\x00\x01")
    assert hexdump(b"\x94\x00\x01\xa6double") == "0000  94 00 01 a6 64 6f 75 62 6c 65                    ....double"
    http_with_binary_body = b"POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\n\x08\x0e"
    assert show_bytes(http_with_binary_body).endswith("\n\n0000  08 0e" + " " * 44 + "..")
    assert "... (5,000 bytes in all)" in show_bytes(b"a" * 5000)
    assert show_parts([("frame", b"\x01")]) == "[frame, 1 bytes]\n0000  01" + " " * 47 + "."
