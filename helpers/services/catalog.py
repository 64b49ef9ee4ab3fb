"""The internet services `python -m helpers serve NAME` can start."""
from helpers.services.dns import dns_server
from helpers.services.ftp import ftp_server
from helpers.services.mail import mail_server, smtp_server

SERVERS = {
    "dns": (dns_server, "a DNS server for the course zone crappytaxidermy.com (UDP and TCP, one port)"),
    "mail": (mail_server, "SMTP in, IMAP and POP3 out, one mailbox (prints its ports, user and password)"),
    "smtp": (smtp_server, "your own SMTP server (aiosmtpd): keeps every message it accepts after AUTH (prints the "
             "password)"),
    "ftp": (ftp_server, "an FTP server on a private temporary folder: user learner (prints its password), or anonymous "
             "read-only in a public folder"),
}
