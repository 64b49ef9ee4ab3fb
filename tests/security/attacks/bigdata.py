"""Two-account attacks on notebook 14's Dask cluster: a Dask client runs any Python it sends in the workers (and a
nanny's `run` in the kernel itself), so only a client holding the cluster's own TLS certificate may connect."""
import ssl
import urllib.error
import urllib.request

from kit import Attack, Breach, refusal

TIMEOUT = 5  # seconds for every attempt's connection


def start():
    """The course's cluster as the notebook starts it, with one worker."""
    from helpers.bigdata.cluster import DaskCluster
    return DaskCluster(workers=1, scheduler="").start()


def owner(cluster):
    """A job through the course's own client; facts are the addresses any account sees listening anyway."""
    import dask.bag as db
    bag = db.from_sequence(range(1000), npartitions=4).map(lambda n: n % 7).frequencies()
    assert dict(cluster.client.compute(bag).result(timeout=30)) == {n: len(range(n, 1000, 7)) for n in range(7)}
    assert cluster.client.submit(sum, [1, 2, 3]).result(timeout=30) == 6
    workers = cluster.client.scheduler_info(n_workers=-1)["workers"]
    facts = {"scheduler": cluster.client.scheduler.address, "workers": sorted(workers),
             "nannies": sorted(w["nanny"] for w in workers.values()), "dashboard": cluster.client.dashboard_link}
    key = cluster.security.tls_client_key.splitlines()[1]  # a line of the private key, kept in memory only
    return facts, [key]


def refused(error):
    """The refusal, with the error that caused it (Dask wraps the TLS alert in a CommClosedError)."""
    cause = error.__cause__ or error.__context__
    return refusal(error) + (f" <- {refusal(cause)}" if cause is not None else "")


def classmate_security(trust_any_server):
    """A Security.temporary() of the classmate's own; optionally one that accepts any server's certificate."""
    from distributed.security import Security

    class TrustAnyServer(Security):
        def get_connection_args(self, role):
            args = super().get_connection_args(role)
            args["ssl_context"].check_hostname = False
            args["ssl_context"].verify_mode = ssl.CERT_NONE
            args["ssl_context"].maximum_version = ssl.TLSVersion.TLSv1_2  # the server's verdict comes in the handshake
            return args

    return (TrustAnyServer if trust_any_server else Security).temporary()


def client_runs_code(scheme, trust_any_server=False):
    """Connect a distributed.Client to the scheduler and run code as the owner: write into their home folder."""
    def attempt(facts):
        from distributed import Client
        address = scheme + "://" + facts["scheduler"].split("://", 1)[1]
        security = classmate_security(trust_any_server) if scheme == "tls" else None
        try:
            client = Client(address, security=security, timeout=f"{TIMEOUT}s")
        except Exception as error:
            return refused(error)
        home = facts["home"]
        try:
            ran = client.run(lambda: open(home + "/pwned", "w").close() or home + "/pwned")
            status = client.submit(__import__("os").system, f"touch {home}/pwned-too").result(timeout=TIMEOUT)
        finally:
            client.close(timeout=TIMEOUT)
        raise Breach(f"ran code in the owner's workers: wrote {sorted(ran.values())}, os.system gave {status}")
    return attempt


def server_runs_code(role, scheme):
    """Connect straight to a worker (or a nanny: the owner's kernel) and send it the `run` message."""
    def attempt(facts):
        import asyncio
        import os

        from distributed.comm import connect
        from distributed.protocol.pickle import dumps
        address = scheme + "://" + facts[role][0].split("://", 1)[1]
        args = classmate_security(True).get_connection_args("client") if scheme == "tls" else {}
        home = facts["home"]

        async def run():
            comm = await connect(address, timeout=TIMEOUT, **args)
            try:
                await comm.write({"op": "run", "function": dumps(lambda: os.system(f"touch {home}/pwned-{role}")),
                                  "reply": True})
                return await asyncio.wait_for(comm.read(), TIMEOUT)
            finally:
                comm.abort()
        try:
            answer = asyncio.run(run())
        except Exception as error:
            return refused(error)
        raise Breach(f"the owner's {role} ran the classmate's function: {answer}")
    return attempt


def retire_workers(facts):
    """Ask the dashboard's HTTP server to retire the owner's workers (the scheduler's HTTP API)."""
    url = facts["dashboard"].rsplit("/", 1)[0] + "/api/v1/retire_workers"
    request = urllib.request.Request(url, data=b'{"n": 1}', method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
            raise Breach(f"the dashboard retired workers: {reply.read()[:100]!r}")
    except urllib.error.HTTPError as error:
        return refusal(error)


PLAIN = r"Connection reset by peer|WRONG_VERSION_NUMBER|wrong version number"
NOT_OURS = r"TLS certificate does not match"
NO_CERT = r"TLSV1_ALERT_UNKNOWN_CA|alert (unknown ca|bad certificate|certificate required)"
ATTACKS = {
    "dask": Attack(owner=owner, start=start, tries=[
        ("a Client over plain tcp:// runs code", client_runs_code("tcp"), PLAIN),
        ("a Client over tls:// with the classmate's own certificate", client_runs_code("tls"), NOT_OURS),
        ("the same, trusting any server certificate", client_runs_code("tls", trust_any_server=True), NO_CERT),
        ("`run` sent straight to a worker over tcp://", server_runs_code("workers", "tcp"), PLAIN),
        ("`run` sent straight to a worker over tls://", server_runs_code("workers", "tls"), NO_CERT),
        ("`run` sent straight to a nanny (it runs in the owner's kernel) over tcp://",
         server_runs_code("nannies", "tcp"), PLAIN),
        ("`run` sent straight to a nanny over tls://", server_runs_code("nannies", "tls"), NO_CERT),
        ("retire the workers through the dashboard's HTTP API", retire_workers, r"HTTP Error 40[45]"),
    ]),
}
