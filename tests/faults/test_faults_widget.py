"""The control panel: sliders reach the running proxy, the round-trip label and chart follow, and it ends with the proxy."""
import time

from helpers.faults import fault_panel, in_front_of
from helpers.faults.widget import chart
from helpers.servers.tcp import echo_server


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the panel did not follow in time"
        time.sleep(0.02)


def rtt(panel):
    return float(panel.rtt.value.split()[2]) if panel.rtt.value.split()[2][0].isdigit() else None


def test_sliders_set_faults_and_the_round_trip_follows():
    with echo_server("faults-w-echo") as echo, in_front_of(echo, name="faults-w-proxy") as proxy:
        panel = fault_panel(proxy)
        wait_for(lambda: rtt(panel) is not None and rtt(panel) < 20)
        panel.sliders["latency_ms"].value = 100
        assert proxy.up.latency_ms == proxy.down.latency_ms == 100
        wait_for(lambda: rtt(panel) is not None and rtt(panel) > 150)
        assert "polyline" in panel.chart.value and "messages" in panel.counters.value
        panel.sliders["latency_ms"].value = 0
        panel.stall.value = True
        wait_for(lambda: "no reply" in panel.rtt.value)
        assert "<circle" in panel.chart.value  # a lost probe is drawn as a red dot
        panel.stall.value = False
        wait_for(lambda: rtt(panel) is not None and rtt(panel) < 20)
    wait_for(lambda: "stopped" in panel.rtt.value)


def test_a_second_panel_replaces_the_first():
    with echo_server("faults-w-echo-2") as echo, in_front_of(echo, name="faults-w-proxy-2") as proxy:
        first = fault_panel(proxy)
        second = fault_panel(proxy)
        assert first._done.is_set() and not second._done.is_set() and proxy.panel is second


def test_the_chart_scales_to_the_largest_value():
    svg = chart([1.0, None, 10.0])
    assert svg.count("<circle") == 1 and ">12 ms<" in svg
