"""Internet services on your own machine (notebook 09): a DNS server and resolver, mail in and out, FTP."""
from helpers.services.dns import ORIGIN, ZONE, CachingResolver, dns_query_us, dns_server, lookup, resolver
from helpers.services.ftp import (capture_login, clear_text, download, ftp_1mb_ms, ftp_server, listing,
                                  login_transcript, upload)
from helpers.services.mail import (Keep, auth_plain, build_message, fetch, fetch_bytes, format_transcript,
                                   imap_fetch_ms, inbox, mail_server, no_mail_reason, parts, pop3_list, send,
                                   smtp_send_ms, smtp_server, smtp_transcript)

__all__ = ["CachingResolver", "Keep", "ORIGIN", "ZONE", "auth_plain", "build_message", "capture_login", "clear_text",
           "dns_query_us", "dns_server", "download", "fetch", "fetch_bytes", "format_transcript", "ftp_1mb_ms",
           "ftp_server", "imap_fetch_ms", "inbox", "listing", "login_transcript", "lookup", "mail_server",
           "no_mail_reason", "parts", "pop3_list", "resolver", "send", "smtp_send_ms", "smtp_server",
           "smtp_transcript", "upload"]
