"""The inbox shows a message's real Date header, or no date at all: never an empty one."""
import smtplib
from email.message import EmailMessage

import pytest

from helpers.services import (
    build_message,
    inbox,
    mail_server,
    no_mail_reason,
    send,
    smtp_transcript,
)
from helpers.services.widgets import mail_widget, message_html

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture(scope="module")
def mail():
    if no_mail_reason():
        pytest.skip(no_mail_reason())
    server = mail_server(name="mail-dates-test").start()
    yield server
    server.stop()


def newest(server, subject):
    """The inbox row of the newest message with this subject."""
    return [row for row in inbox(server) if row["subject"] == subject][-1]


def test_a_message_without_a_date_has_no_date_in_its_row(mail):
    bare = EmailMessage()
    bare["From"], bare["To"], bare["Subject"] = "me@example.org", "friend@example.org", "no date"
    bare.set_content("smtplib adds no Date header\n")
    with smtplib.SMTP(*mail.address, local_hostname="localhost", timeout=5) as smtp:
        smtp.login("learner", mail.password)
        smtp.send_message(bare)
    assert "date" not in newest(mail, "no date")


def test_a_message_with_a_date_shows_it(mail):
    msg = build_message(subject="dated")
    send(mail, msg)
    assert newest(mail, "dated")["date"] == msg["Date"]


def test_smtp_by_hand_sends_a_date_too(mail):
    said = smtp_transcript(mail, subject="typed, with a date")
    assert any(who == "C" and line.startswith("Date: ") for who, line in said)
    assert newest(mail, "typed, with a date").get("date")


def test_an_opened_message_shows_no_empty_date():
    bare = EmailMessage()
    bare["From"], bare["Subject"] = "me@example.org", "no date"
    bare.set_content("hi\n")
    assert "<b>Date</b>" not in message_html(bare)
    assert "<b>Date</b>" in message_html(build_message())


def test_the_inbox_list_fits_its_box(mail):
    widget = mail_widget(mail)
    # width 100% plus the widget's margins stuck out past the output area's right edge
    assert widget.inbox.layout.width in (None, "auto")
