"""Notebook 15 run whole in a kernel: everything it starts listens on 127.0.0.1 only, and dies with the kernel."""
from pathlib import Path

import nbformat
import psutil
from ended import all_gone, sigkill
from jupyter_client.manager import start_new_kernel

from helpers.cloud import azurite_path

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "15_clouds_containers.ipynb"


def listening(processes):
    """{(ip, port)} of every TCP socket the processes listen on."""
    found = set()
    for process in processes:
        try:
            found |= {c.laddr[:2] for c in process.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
        except psutil.NoSuchProcess:
            pass
    return found


def test_the_notebooks_servers_listen_on_loopback_only_and_die_with_a_killed_kernel():
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(NOTEBOOK.parent))
    try:
        for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
            if cell.cell_type == "code" and "raises-exception" not in cell.metadata.get("tags", []):
                reply = kc.execute_interactive(cell.source, timeout=180, output_hook=lambda msg: None)
                assert reply["content"]["status"] == "ok", (cell.source.splitlines()[0], reply["content"])
        kernel = psutil.Process(km.provisioner.process.pid)
        children = kernel.children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in children)
        assert "moto_child" in names and "gcs_child" in names and "helpers.zeromq.worker" in names
        assert ("azurite-blob" in names) == (azurite_path() is not None)
        sockets = listening([kernel, *children])
        assert sockets and {ip for ip, _ in sockets} == {"127.0.0.1"}, sockets
        sigkill(km.provisioner.process)
        assert all_gone(children, [port for _, port in sockets], wait=10)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
