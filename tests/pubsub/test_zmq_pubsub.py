"""ZeroMQ PUB/SUB: the slow joiner really loses messages, the XPUB fix loses none, prefix filters, HWM drops."""
from helpers.pubsub.zmq_pubsub import hwm_drops, joined_pair, receive_zmq, slow_joiner


def test_without_the_fix_the_first_messages_are_really_lost():
    runs = [slow_joiner(fix=False, count=100, interval=0.0005) for _ in range(3)]
    for run in runs:  # the subscriber connected first, so its retry comes only 100-200 ms later
        assert run.lost > 0 and 0 not in run.received, run


def test_with_the_xpub_fix_none_of_the_first_100_is_lost_in_20_runs():
    for _ in range(20):
        run = slow_joiner(fix=True, count=100, interval=0)
        assert run.received == list(range(100)), run


def test_a_topic_is_a_prefix_and_empty_means_everything():
    pub, sub = joined_pair([b"cat"])
    for topic in [b"cat", b"category", b"dog"]:
        pub.send_multipart([topic, b"hello"])
    assert [t for t, _ in receive_zmq(sub, timeout=0.3)] == ["cat", "category"]
    pub.close()
    sub.close()
    pub, sub = joined_pair([b""])
    for topic in [b"cat", b"dog"]:
        pub.send_multipart([topic, b"hello"])
    assert [t for t, _ in receive_zmq(sub, timeout=0.3)] == ["cat", "dog"]
    pub.close()
    sub.close()


def test_a_small_high_water_mark_drops_messages_and_counts_them():
    run = hwm_drops(hwm=100, rate=20_000, seconds=0.25)
    assert run.sent == 5000 and run.lost > 1000
    assert run.received[:100] == list(range(100))  # the first ones filled the queue; later ones were dropped
    assert run.received == sorted(run.received)
