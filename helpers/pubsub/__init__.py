"""Publish-subscribe (notebook 06, exercise 17.5): Redis channels and streams, ZeroMQ PUB/SUB, a live stream viewer."""
from helpers.pubsub.poem import check_poem  # exercise 17.5

__all__ = ["check_poem"]
from helpers.pubsub.redis_channels import (CATS, HATS, cats_and_hats, plot_buffer, publish_cats,  # noqa: E402
                                           receive, slow_subscriber)
from helpers.pubsub.viewer import RedisSource, StreamViewer, ZmqSource, stream_viewer  # noqa: E402
from helpers.pubsub.zmq_pubsub import (connect_early, hwm_drops, joined_pair, plot_received,  # noqa: E402
                                       publish_cats_zmq, receive_zmq, slow_joiner, wait_for_subscribers,
                                       xpub_socket)

__all__ += ["CATS", "HATS", "RedisSource", "StreamViewer", "ZmqSource", "cats_and_hats", "connect_early",
            "hwm_drops", "joined_pair", "plot_buffer", "plot_received", "publish_cats", "publish_cats_zmq", "receive",
            "receive_zmq", "slow_joiner", "slow_subscriber", "stream_viewer", "wait_for_subscribers", "xpub_socket"]
