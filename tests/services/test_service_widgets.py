"""Notebook 09's widgets driven from Python against the real servers: set values, click, read the HTML."""
import time

import pytest

from helpers.services import dns_server, ftp_server, no_mail_reason, mail_server
from helpers.services.widgets import (RECORD_TYPES, Built, dns_widget, login_capture, lookup_packets, mail_widget,
                                      reply_packets)
from helpers.services.dns import lookup


@pytest.fixture
def dns_srv():
    with dns_server(name="dns-widget-test") as running:
        yield running


@pytest.fixture(scope="module")
def mail_srv():
    why = no_mail_reason()
    if why:
        pytest.skip(why)
    server = mail_server(name="mail-widget-test").start()
    yield server
    server.stop()


def click(button):
    """Press a widget button as the browser does."""
    button.click()


EXPECTED = {"A": "192.0.2.80", "AAAA": "2001:db8::80", "CNAME": "CNAME crappytaxidermy.com.",
            "MX": "10 mail.crappytaxidermy.com.", "TXT": "v=spf1 mx -all", "NS": "ns.crappytaxidermy.com.",
            "SOA": "hostmaster.crappytaxidermy.com."}


@pytest.mark.parametrize("transport", ["UDP", "TCP"])
def test_every_record_type_shows_its_answer_status_ttl_time_and_packets(dns_srv, transport):
    widget = dns_widget(dns_srv)
    assert "dis-dns-widget" in widget._dom_classes and "dis-dns-answer" in widget.answer._dom_classes
    assert list(widget.rtype.options) == RECORD_TYPES and widget.name.value == "www.crappytaxidermy.com"
    widget.transport.value = transport
    for rtype in RECORD_TYPES:
        widget.rtype.value = rtype
        click(widget.button)
        shown = widget.answer.value
        assert EXPECTED[rtype] in shown and "NOERROR" in shown and "TTL</b> 300 s" in shown, (rtype, shown)
        assert f"µs over {transport}" in shown and not widget.button.disabled
        inspector = widget.packets.children[0]  # 03's inspector, on the response
        assert "dis-inspector" in inspector._dom_classes and len(inspector.packets) == 2
        assert bytes(inspector.packets[0]) == widget.reply.query and bytes(inspector.packets[1]) == widget.reply.response
        assert "BUILT from the bytes" in inspector.children[0].value
        assert "DNS" in inspector.tree.titles[0]


def test_unknown_names_and_other_zones_show_their_status(dns_srv):
    widget = dns_widget(dns_srv)
    widget.name.value = "nope.crappytaxidermy.com"
    click(widget.button)
    assert "NXDOMAIN" in widget.answer.value and "no such name" in widget.answer.value
    widget.name.value = "www.example.com"
    click(widget.button)
    assert "REFUSED" in widget.answer.value
    widget.name.value = "countdown.crappytaxidermy.com"
    widget.rtype.value = "A"
    click(widget.button)
    assert "192.0.2.3" in widget.answer.value and "TTL</b> 3 s" in widget.answer.value


@pytest.mark.parametrize("name", ["", "   ", "a..b", "x" * 70 + ".crappytaxidermy.com", "\udcff.com"])
def test_bad_names_give_one_red_line_and_the_next_lookup_works(dns_srv, name):
    widget = dns_widget(dns_srv)
    widget.name.value = name
    click(widget.button)
    assert widget.answer.value.count("color:#b00") == 1 and "\n" not in widget.answer.value
    assert widget.packets.children == () and not widget.button.disabled
    widget.name.value = "crappytaxidermy.com"
    click(widget.button)
    assert "192.0.2.80" in widget.answer.value


def test_a_stopped_server_is_one_red_line_within_the_timeout():
    server = dns_server(name="dns-widget-gone").start()
    widget = dns_widget(server)
    server.stop()
    for transport in ("UDP", "TCP"):
        widget.transport.value = transport
        start = time.monotonic()
        click(widget.button)
        assert time.monotonic() - start < widget.timeout + 1
        assert "color:#b00" in widget.answer.value and widget.packets.children == ()


def test_enter_in_the_name_box_looks_up(dns_srv):
    widget = dns_widget(dns_srv)
    widget.name.value = "mail.crappytaxidermy.com"
    widget.name._handle_custom_msg({"event": "submit"}, [])  # what the browser sends on Enter
    assert "198.51.100.25" in widget.answer.value


def test_reply_packets_read_back_the_exact_bytes(dns_srv):
    reply = lookup(dns_srv, "www.crappytaxidermy.com", "MX")
    built = reply_packets(reply)
    assert isinstance(built, Built) and not built.live and len(built) == 2
    assert [bytes(p) for p in built] == [reply.query, reply.response]
    assert built[1].ancount == 2 and built[0].qd[0].qname == b"www.crappytaxidermy.com."


def test_lookup_packets_are_live_or_built_and_say_which(dns_srv, capsys):
    from helpers.packets.capture_check import capture_allowed
    shown = lookup_packets(dns_srv)
    assert len(shown) == 2 and shown.reply.answers == ["192.0.2.80"]
    if capture_allowed():
        assert shown.live and shown.whole and capsys.readouterr().out == ""
    else:
        assert not shown.live and "built from the bytes" in capsys.readouterr().out


def test_the_mail_widget_sends_lists_and_opens(mail_srv):
    widget = mail_widget(mail_srv)
    assert "dis-mail-widget" in widget._dom_classes
    before = len(widget.inbox.options)
    subject = f"owl {time.time()}"
    widget.to.value, widget.subject.value, widget.body.value = "bob@example.org", subject, "Grüße, Bob\nline 2\n"
    click(widget.send_button)
    assert "sent to bob@example.org" in widget.status.value
    assert len(widget.inbox.options) == before + 1 and subject in widget.inbox.options[-1][0]
    widget.inbox.value = widget.inbox.options[-1][1]  # what a click on the row does
    shown = widget.message.value
    assert subject in shown and "bob@example.org" in shown and "Grüße, Bob\nline 2" in shown
    click(widget.refresh_button)
    assert widget.inbox.value == widget.inbox.options[-1][1] and subject in widget.message.value  # still open


def test_mail_widget_shows_attachments_of_a_message_sent_elsewhere(mail_srv):
    from helpers.services import build_message, send
    widget = mail_widget(mail_srv)
    send(mail_srv, build_message(subject="with a file", html="<p>hi</p>", attachments=[("owl.png", b"\x89PNG" * 10)]))
    click(widget.refresh_button)
    widget.inbox.value = widget.inbox.options[-1][1]
    assert "owl.png (image/png, 40 bytes)" in widget.message.value and "Hi!" in widget.message.value


@pytest.mark.parametrize("to, subject", [("", "x"), ("nobody", "x"), ("a@b.c", "line\nbreak")])
def test_bad_input_is_one_red_line_and_nothing_is_sent(mail_srv, to, subject):
    widget = mail_widget(mail_srv)
    count = len(widget.inbox.options)
    widget.to.value, widget.subject.value = to, subject
    click(widget.send_button)
    assert widget.status.value.count("color:#b00") == 1 and "not sent" in widget.status.value
    click(widget.refresh_button)
    assert len(widget.inbox.options) == count and not widget.send_button.disabled


def test_mail_widget_on_a_stopped_server_says_so_in_one_line():
    why = no_mail_reason()
    if why:
        pytest.skip(why)
    server = mail_server(name="mail-widget-gone").start()
    widget = mail_widget(server)
    server.stop()
    click(widget.send_button)
    assert "not sent" in widget.status.value and "is the server running" in widget.status.value
    click(widget.refresh_button)
    assert "cannot read the inbox" in widget.message.value


def test_login_capture_shows_the_password_or_says_why_not(capsys):
    from helpers.packets.capture_check import capture_allowed
    from helpers.services import clear_text
    from helpers.services.ftp import RECORDED_PASSWORD
    with ftp_server(name="ftp-widget-test") as server:
        shown = login_capture(server)
    out = capsys.readouterr().out
    if shown is None:
        assert not capture_allowed() and f"PASS {server.password}" in out
    else:  # live: this server's own password; recorded: the old fixed one, which no live server accepts
        password = server.password if shown.live else RECORDED_PASSWORD
        assert [payload for _, payload in clear_text(shown)] == [f"PASS {password}\r\n".encode()]
