"""Two-account attacks on notebook 09's internet services: FTP, the mail server, your own SMTP server, DNS.

The owner uses each server with the notebook's own clients (ftplib, smtplib, imaplib), logging in with the
password the server made at start; the classmate knows only the ports, and the course's old fixed password.
"""
import ftplib
import imaplib
import io
import poplib
import smtplib
from email.message import EmailMessage

import dns.message
import dns.query
import dns.rcode
import dns.update
from kit import Attack, Breach

from helpers.services.dns import lookup

OLD_PASSWORD = "data-in-space"  # what every FTP and mail server accepted before: known to the whole class
DIARY = b"the owner's private notes\n"
TIMEOUT = 5


def _message(subject, sender="owner@example.org"):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "learner@example.org", subject
    msg.set_content("only for the owner\n")
    return msg


# --- FTP --------------------------------------------------------------------------------------------------------

def ftp_owner(server):
    """Upload a file as learner, as notebook 09 does, and read it back."""
    with ftplib.FTP(timeout=TIMEOUT) as client:
        client.connect(*server.address)
        client.login("learner", server.password)
        client.storbinary("STOR diary.txt", io.BytesIO(DIARY))
        got = io.BytesIO()
        client.retrbinary("RETR diary.txt", got.write)
    assert got.getvalue() == DIARY
    return {"host": server.address[0], "port": server.address[1]}, [server.password]


def _ftp(facts):
    client = ftplib.FTP(timeout=TIMEOUT)
    client.connect(facts["host"], facts["port"])
    return client


def ftp_old_password(facts):
    with _ftp(facts) as client:
        try:
            client.login("learner", OLD_PASSWORD)
        except ftplib.error_perm as refused:
            return str(refused)
        raise Breach(f"logged in as learner with the old password; files: {client.nlst()}")


def ftp_anonymous_reads(facts):
    with _ftp(facts) as client:
        client.login()  # anonymous: allowed, for the public folder
        listed = client.nlst() + client.nlst("/") + client.nlst("..")
        if any("diary" in name for name in listed):
            raise Breach(f"anonymous lists the owner's upload: {listed}")
        refusals = []
        for path in ("diary.txt", "/diary.txt", "../learner/diary.txt", "../diary.txt"):
            try:
                got = io.BytesIO()
                client.retrbinary(f"RETR {path}", got.write)
            except ftplib.error_perm as refused:
                refusals.append(str(refused))
                continue
            raise Breach(f"anonymous downloaded {path}: {got.getvalue()[:40]!r}")
        return refusals[0]


def ftp_anonymous_writes(facts):
    with _ftp(facts) as client:
        client.login()
        try:
            client.storbinary("STOR graffiti.txt", io.BytesIO(b"was here"))
        except ftplib.error_perm as refused:
            return str(refused)
        raise Breach("anonymous stored graffiti.txt on the owner's server")


# --- the mail server (SMTP in, IMAP and POP3 out) ------------------------------------------------------------

def mail_owner(server):
    """Send a message after AUTH and read it back over IMAP, as notebook 09 does."""
    subject = "owner's secret plans"
    with smtplib.SMTP(*server.address, local_hostname="localhost", timeout=TIMEOUT) as smtp:
        smtp.login("learner", server.password)
        smtp.send_message(_message(subject))
    with imaplib.IMAP4(*server.imap_address, timeout=TIMEOUT) as imap:
        imap.login("learner", server.password)
        imap.select("INBOX", readonly=True)
        _, (uids,) = imap.uid("SEARCH", None, "ALL")
        _, data = imap.uid("FETCH", uids.split()[-1], "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert subject.encode() in data[0][1]
    facts = {"host": server.address[0], "smtp": server.address[1], "imap": server.imap_address[1],
             "pop3": server.pop3_address[1]}
    return facts, [server.password]


def mail_imap(facts):
    with imaplib.IMAP4(facts["host"], facts["imap"], timeout=TIMEOUT) as imap:
        try:
            imap.login("learner", OLD_PASSWORD)
        except imaplib.IMAP4.error as refused:
            return f"IMAP: {refused}"
        imap.select("INBOX", readonly=True)
        _, (uids,) = imap.uid("SEARCH", None, "ALL")
        raise Breach(f"read the owner's inbox over IMAP: {len(uids.split())} messages")


def mail_pop3(facts):
    pop = poplib.POP3(facts["host"], facts["pop3"], timeout=TIMEOUT)
    try:
        pop.user("learner")
        try:
            pop.pass_(OLD_PASSWORD)
        except poplib.error_proto as refused:
            return f"POP3: {refused}"
        raise Breach(f"read the owner's inbox over POP3: {pop.stat()}")
    finally:
        pop.close()


def smtp_inject(host, port):
    """Send a message without AUTH: the refusal, or a Breach if the server took it."""
    with smtplib.SMTP(host, port, local_hostname="localhost", timeout=TIMEOUT) as smtp:
        try:
            smtp.send_message(_message("click this link", sender="it-support@example.org"))
        except smtplib.SMTPSenderRefused as refused:
            return f"SMTP: {refused.smtp_code} {refused.smtp_error.decode()}"
    raise Breach("the server took a message from the classmate without AUTH")


def smtp_old_password(host, port):
    with smtplib.SMTP(host, port, local_hostname="localhost", timeout=TIMEOUT) as smtp:
        try:
            smtp.login("learner", OLD_PASSWORD)
        except smtplib.SMTPAuthenticationError as refused:
            return f"SMTP AUTH: {refused.smtp_code} {refused.smtp_error.decode()}"
    raise Breach("AUTH with the old password worked")


# --- your own SMTP server (aiosmtpd), which keeps every message it accepts ---------------------------------

def smtp_owner(server):
    """Send a message after AUTH, as notebook 09's send() does, and find it kept."""
    with smtplib.SMTP(*server.address, local_hostname="localhost", timeout=TIMEOUT) as smtp:
        smtp.login("learner", server.password)
        smtp.send_message(_message("for my own server"))
    assert any(b"Subject: for my own server" in kept["content"] for kept in server.messages)
    return {"host": server.address[0], "port": server.address[1]}, [server.password]


# --- DNS: open, a public read-only zone ----------------------------------------------------------------------

def dns_owner(server):
    reply = lookup(server, "www.crappytaxidermy.com")
    assert reply.ok and reply.records[-1].endswith("192.0.2.80"), reply
    return {"host": server.address[0], "port": server.address[1]}, []


def dns_update(facts):
    update = dns.update.UpdateMessage("crappytaxidermy.com")
    update.replace("www", 60, "A", "203.0.113.66")  # send the owner's lookups somewhere else
    reply = dns.query.tcp(update, facts["host"], timeout=TIMEOUT, port=facts["port"])
    answer = lookup((facts["host"], facts["port"]), "www.crappytaxidermy.com")
    if reply.rcode() == dns.rcode.NOERROR or "203.0.113.66" in str(answer):
        raise Breach(f"UPDATE answered {dns.rcode.to_text(reply.rcode())}: {answer}")
    return f"UPDATE: {dns.rcode.to_text(reply.rcode())}"


def dns_transfer(facts):
    query = dns.message.make_query("crappytaxidermy.com", "AXFR")
    reply = dns.query.tcp(query, facts["host"], timeout=TIMEOUT, port=facts["port"])
    if reply.answer:
        raise Breach(f"zone transfer gave {len(reply.answer)} record sets")
    return f"AXFR: {dns.rcode.to_text(reply.rcode())}"


def dns_public_answer(facts):
    reply = lookup((facts["host"], facts["port"]), "www.crappytaxidermy.com")
    if reply.records[-1].split()[-1] != "192.0.2.80":
        raise Breach(f"unexpected answer {reply.records}")
    return f"answered only with the public record: {reply.records[-1]}"


ATTACKS = {
    "ftp": Attack(owner=ftp_owner, tries=[
        ("log in as learner with the old well-known password", ftp_old_password, r"^530 Authentication failed"),
        ("anonymous: list and download the owner's upload", ftp_anonymous_reads, r"^550 No such file"),
        ("anonymous: upload a file (STOR)", ftp_anonymous_writes, r"^550 Not enough privileges"),
    ]),
    "mail": Attack(owner=mail_owner, tries=[
        ("read the owner's inbox over IMAP with the old password", mail_imap,
         r"^IMAP: .*AUTHENTICATIONFAILED"),
        ("read the owner's inbox over POP3 with the old password", mail_pop3, r"^POP3: b?'?-ERR"),
        ("slip a message into the owner's inbox without AUTH", lambda f: smtp_inject(f["host"], f["smtp"]),
         r"^SMTP: 530 5\.7\.0 Authentication required"),
        ("SMTP AUTH with the old password", lambda f: smtp_old_password(f["host"], f["smtp"]),
         r"^SMTP AUTH: 535 5\.7\.8 Authentication credentials invalid"),
    ]),
    "smtp": Attack(owner=smtp_owner, tries=[
        ("send a message into the owner's server without AUTH", lambda f: smtp_inject(f["host"], f["port"]),
         r"^SMTP: 530 5\.7\.0 Authentication required"),
        ("SMTP AUTH with the old password", lambda f: smtp_old_password(f["host"], f["port"]),
         r"^SMTP AUTH: 535 5\.7\.8 Authentication credentials invalid"),
    ]),
    "dns": Attack(owner=dns_owner, open=(
        "it serves one public, read-only zone of documentation addresses and holds nothing of the learner's: "
        "UPDATE (any opcode but QUERY) gets NOTIMP and zone transfers are REFUSED"), tries=[
        ("change www with a dynamic UPDATE", dns_update, r"^UPDATE: NOTIMP$"),
        ("transfer the whole zone (AXFR)", dns_transfer, r"^AXFR: REFUSED$"),
        ("ask for www", dns_public_answer, r"^answered only with the public record: .*192\.0\.2\.80$"),
    ]),
}
