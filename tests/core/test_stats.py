"""A server's counters: message() bumps the three request counters, add() any of them, both from many threads."""
import threading

from helpers.core.stats import Stats


def test_message_and_add_count_every_request_exactly_from_many_threads():
    stats = Stats()

    def bump():
        for _ in range(5000):
            stats.message(3, 7)
            stats.add(errors=1)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stats.as_dict() == {"messages": 40000, "bytes_in": 120000, "bytes_out": 280000, "clients": 0, "errors": 40000}
