"""Redis pub-sub on a real redis-server: every message in order, PUBLISH to nobody, patterns, the buffer limit, streams."""
import pytest

from helpers.pubsub.redis_channels import publish_cats, receive, slow_subscriber
from helpers.servers.redis import redis_server


@pytest.fixture(scope="module")
def server():
    srv = redis_server("test-pubsub-redis").start()
    yield srv
    srv.stop()


def test_a_subscriber_from_before_gets_all_10000_messages_in_order(server):
    conn = server.client(decode_responses=False)
    sub = conn.pubsub()
    sub.subscribe("count")
    assert sub.get_message(timeout=2)["type"] == "subscribe"
    pipe = conn.pipeline(transaction=False)
    for n in range(10_000):
        pipe.publish("count", str(n))
    assert set(pipe.execute()) == {1}  # each one reached our subscriber
    got = [int(data) for _, data in receive(sub, timeout=2, limit=10_000)]
    assert got == list(range(10_000))
    sub.close()


def test_publish_with_no_subscriber_reaches_nobody_and_is_not_kept(server, capsys):
    conn = server.client()
    assert conn.publish("nobody-listens", "hello") == 0
    sub = conn.pubsub()
    sub.subscribe("nobody-listens")
    assert receive(sub, timeout=0.3) == []  # the earlier message was not kept for a later subscriber
    publish_cats(conn, 3, seed=1)
    assert "to 0 subscribers" in capsys.readouterr().out
    sub.close()


def test_pattern_subscriptions_match_channel_names(server):
    conn = server.client()
    sub = conn.pubsub()
    sub.psubscribe("*coon")
    sub.get_message(timeout=2)
    conn.publish("maine coon", "fedora")
    conn.publish("persian", "bowler")
    assert receive(sub, timeout=0.3) == [("maine coon", "fedora")]
    sub.close()


def test_the_output_buffer_limit_really_disconnects_a_subscriber_that_does_not_read(server):
    cut = slow_subscriber(server, limit="256kb")
    assert cut.cut_after is not None and cut.cut_after < cut.published  # PUBLISH returned 0 from then on
    assert cut.closed and cut.received < cut.published
    assert max(waiting for _, waiting in cut.buffered) > 0  # messages did wait in Redis first
    limit = server.client().config_get("client-output-buffer-limit")["client-output-buffer-limit"]
    assert "pubsub 33554432 8388608 60" in limit  # the server's own limit is back


def test_under_the_default_limit_the_slow_subscriber_gets_everything(server):
    patient = slow_subscriber(server, limit=None, count=600)
    assert patient.cut_after is None and not patient.closed and patient.received == 600
    assert max(waiting for _, waiting in patient.buffered) > 100_000  # they waited in its output buffer


def test_a_stream_keeps_entries_for_a_reader_that_comes_later(server):
    conn = server.client()
    conn.delete("s")
    ids = [conn.xadd("s", {"n": str(n)}) for n in range(5)]
    entries = conn.xread({"s": "0"})[0][1]
    assert [fields["n"] for _, fields in entries] == ["0", "1", "2", "3", "4"]
    assert conn.xread({"s": ids[-1]}, block=100) == []  # nothing after the last one seen
