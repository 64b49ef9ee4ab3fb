"""Internet services: a DNS query with dnspython, sending a message over SMTP, reading one over IMAP, 1 MB by FTP."""
from helpers.services import (dns_query_us, dns_server, ftp_1mb_ms, ftp_server, imap_fetch_ms, mail_server,
                              no_mail_reason, smtp_send_ms)


def run(results):
    """The service numbers for benchmarks/results.json (the mail keys left out, with one line, where mail cannot run)."""
    out = {}
    with dns_server("bench-dns") as server:
        out["dns_query_us"] = round(dns_query_us(server, count=500), 1)
    with ftp_server("bench-ftp") as server:
        out["ftp_1mb_ms"] = round(ftp_1mb_ms(server), 1)
    why_not = no_mail_reason()
    if why_not:
        print(f"{why_not}: smtp_send_ms and imap_fetch_ms left out")
        return out
    with mail_server("bench-mail") as server:
        out["smtp_send_ms"] = round(smtp_send_ms(server, count=50), 2)
        out["imap_fetch_ms"] = round(imap_fetch_ms(server, count=50), 2)
    return out


if __name__ == "__main__":
    print(run({}))
