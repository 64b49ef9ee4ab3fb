"""Work queues on Redis lists (notebook 07, exercise 17.4): queue vs pub-sub, reliable queues, the chocolate factory."""
from helpers.queues.diagrams import draw_patterns, draw_reliable
from helpers.queues.factory import check_chocolate_factory
from helpers.queues.factory_line import factory_line
from helpers.queues.factory_view import factory_view
from helpers.queues.lists import describe, fill, take, take_all
from helpers.queues.reliable import fragile_worker, recover, reliable_worker, wait_until_lapsed, whereabouts
from helpers.queues.share_view import queue_vs_pubsub

__all__ = ["check_chocolate_factory", "describe", "draw_patterns", "draw_reliable", "factory_line", "factory_view",
           "fill", "fragile_worker", "queue_vs_pubsub", "recover", "reliable_worker", "take", "take_all",
           "wait_until_lapsed", "whereabouts"]
