"""Every timing notebook 12 prints names its unit: the zerorpc clients compared give (number, unit) pairs."""
from helpers.rpc import ZerorpcServer, clients_compared


def test_the_zerorpc_comparison_gives_each_number_its_unit():
    with ZerorpcServer(name="test-zerorpc-units") as server:
        compared = clients_compared(server, count=20)
    assert set(compared) == {"zerorpc.Client in a child process", "pyzmq + msgpack in the kernel",
                             "starting a child client"}
    for way, (number, unit) in compared.items():
        assert number > 0 and unit == ("ms" if way == "starting a child client" else "µs per call (median)"), way
