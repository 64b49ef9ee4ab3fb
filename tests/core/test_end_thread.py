"""end_thread ends a stuck thread even when the first SystemExit it raises is lost."""
import threading
import time

from helpers.servers.function import end_thread


def test_a_thread_that_loses_the_first_system_exit_is_still_ended():
    lost = []

    def stuck():
        while True:
            try:
                while True:
                    time.sleep(0.01)
            except SystemExit:
                if lost:
                    raise
                lost.append(1)  # as when Python drops it inside a weakref callback

    thread = threading.Thread(target=stuck, daemon=True)
    thread.start()
    assert end_thread(thread, within=2)
    assert lost == [1] and not thread.is_alive()


def test_without_a_wait_it_raises_once_and_returns_at_once():
    stop = threading.Event()

    def stuck():
        while not stop.is_set():
            try:
                time.sleep(0.01)
            except SystemExit:
                stop.set()

    thread = threading.Thread(target=stuck, daemon=True)
    thread.start()
    started = time.monotonic()
    end_thread(thread)
    assert time.monotonic() - started < 0.05
    assert stop.wait(2)
