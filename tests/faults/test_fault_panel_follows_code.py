"""The control panel follows the proxy: faults set or cleared by code show on its sliders, and are not spread."""
import threading
import time

from helpers.faults import fault_panel, in_front_of
from helpers.servers.tcp import echo_server


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the panel did not follow in time"
        time.sleep(0.02)


def test_set_and_clear_from_code_move_the_sliders():
    with echo_server("faults-f-echo") as echo, in_front_of(echo, name="faults-f-proxy") as proxy:
        panel = fault_panel(proxy)
        proxy.set(latency_ms=50, split_bytes=5)
        wait_for(lambda: panel.sliders["latency_ms"].value == 50 and panel.sliders["split_bytes"].value == 5)
        proxy.set(stall=True)
        wait_for(lambda: panel.stall.value)
        proxy.clear()
        wait_for(lambda: panel.sliders["latency_ms"].value == 0 and not panel.stall.value)
        assert panel.sliders["split_bytes"].value == 0


def test_a_fault_set_one_way_shows_without_being_set_the_other_way():
    with echo_server("faults-f-echo-2") as echo, in_front_of(echo, name="faults-f-proxy-2") as proxy:
        panel = fault_panel(proxy)
        proxy.up.set(bandwidth_kb_s=200)
        wait_for(lambda: panel.sliders["bandwidth_kb_s"].value == 200)
        time.sleep(0.6)  # two more looks by the panel
        assert proxy.up.bandwidth_kb_s == 200 and proxy.down.bandwidth_kb_s == 0


def test_a_slider_moved_by_hand_still_sets_both_ways():
    with echo_server("faults-f-echo-3") as echo, in_front_of(echo, name="faults-f-proxy-3") as proxy:
        panel = fault_panel(proxy)
        proxy.set(latency_ms=20)
        wait_for(lambda: panel.sliders["latency_ms"].value == 20)
        panel.sliders["latency_ms"].value = 40
        assert proxy.up.latency_ms == proxy.down.latency_ms == 40
        time.sleep(0.6)
        assert panel.sliders["latency_ms"].value == 40



def test_a_slider_moved_while_the_panel_looks_at_the_proxy_is_not_put_back():
    with echo_server("faults-f-echo-4") as echo, in_front_of(echo, name="faults-f-proxy-4") as proxy:
        panel = fault_panel(proxy)
        panel.sliders["latency_ms"].value = 10  # the learner's first key press
        looked, now = [], proxy.down.now

        def look_while_the_learner_moves_the_slider():
            seen = now()
            if not looked:  # the learner's next move arrives (in the comm thread) just after the panel read the proxy
                looked.append(threading.Thread(target=setattr, args=(panel.sliders["latency_ms"], "value", 20)))
                looked[0].start()
                looked[0].join(0.2)
            return seen

        proxy.down.now = look_while_the_learner_moves_the_slider
        panel._follow()
        looked[0].join(5)
        proxy.down.now = now
        assert panel.sliders["latency_ms"].value == proxy.up.latency_ms == proxy.down.latency_ms == 20
