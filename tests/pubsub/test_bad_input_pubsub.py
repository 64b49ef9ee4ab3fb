"""Bad input on every channel: non-UTF-8 and huge payloads, wrong frame counts; subscribers go on and say so in one line."""
import time

import pytest

from helpers import stop_all
from helpers.pubsub.redis_channels import receive
from helpers.pubsub.viewer import RedisSource, StreamViewer, ZmqSource
from helpers.pubsub.zmq_pubsub import joined_pair, receive_zmq, wait_for_subscribers, xpub_socket
from helpers.servers.redis import redis_server

BAD, HUGE = b"\xff\xfe\x00bad", b"h" * 3_000_000


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def server():
    srv = redis_server("test-pubsub-bad").start()
    yield srv
    stop_all()


def one_line_reports(lines):
    bad = [line for line in lines if "<bad message" in line or "<huge message" in line]
    assert all("\n" not in line and len(line) < 200 for line in bad)
    return bad


def test_redis_subscriber_helper_reports_bad_payloads_and_goes_on(server):
    conn = server.client(decode_responses=False)
    sub = conn.pubsub()
    sub.subscribe("c")
    for payload in (BAD, HUGE, b"after"):
        conn.publish("c", payload)
    got = receive(sub, timeout=1)
    assert len(one_line_reports([text for _, text in got])) == 2 and got[-1] == ("c", "after")
    sub.close()


def test_zmq_subscriber_helper_reports_bad_payloads_and_goes_on():
    pub, sub = joined_pair([b"c"])
    pub.send_multipart([b"c", BAD])
    pub.send_multipart([b"c", b"h" * 500_000])
    pub.send(b"c alone")
    pub.send_multipart([b"c", b"after"])
    got = receive_zmq(sub, timeout=1)
    assert len(one_line_reports([text for _, text in got])) == 3 and got[-1] == ("c", "after")
    pub.close()
    sub.close()


def test_redis_viewer_reports_bad_messages_in_one_line_and_keeps_counting(server):
    view = StreamViewer(RedisSource(server), name="test-bad-redis", rate=200).start()
    wait_for(lambda: sum(view.counts.values()) > 20)
    conn = server.client(decode_responses=False)
    assert conn.publish("persian", BAD) == 1 and conn.publish("persian", HUGE) == 1
    wait_for(lambda: view.bad == 2)
    after = sum(view.counts.values())
    wait_for(lambda: sum(view.counts.values()) > after + 20)  # still running
    assert len(one_line_reports(view.problems)) == 2 and "2 bad, last: persian: <huge message" in view.status.value
    view.stop()


def test_zmq_viewer_reports_bad_messages_in_one_line_and_keeps_counting():
    pub, endpoint = xpub_socket()
    view = StreamViewer(ZmqSource(connect=[endpoint]), name="test-bad-zmq", rate=200).start()
    wait_for_subscribers(pub, 4)  # the viewer's four topics reached our publisher too
    pub.send_multipart([b"persian", BAD])
    pub.send_multipart([b"persian", HUGE])
    pub.send(b"persian and no body")
    pub.send_multipart([b"persian", b"a", b"b"])
    wait_for(lambda: view.bad == 4)
    after = sum(view.counts.values())
    wait_for(lambda: sum(view.counts.values()) > after + 20)
    assert len(one_line_reports(view.problems)) == 4
    view.stop()
    pub.close(linger=0)
