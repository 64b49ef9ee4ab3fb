"""The control panel follows the proxy: faults set or cleared by code show on its sliders, and are not spread."""
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
