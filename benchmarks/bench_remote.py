"""Remote management: an SSH login, a command on a warm connection (Fabric), an Ansible ad-hoc run on 3 hosts,
and Salt's push model with its per-start CURVE keys (start, then test.ping on 3 minions)."""
import statistics
import time

from helpers.remote import Ansible, SaltModel, control_folder, inventory_text, start_hosts


def median_ms(action, count):
    """The median wall time of action() in milliseconds over count runs."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def connect_and_close(host):
    conn = host.connection()
    conn.open()
    conn.close()


def run(results):
    """ssh_connect_ms: TCP + key exchange + key login; ssh_run_ms: `true` on an open connection;
    ansible_adhoc_ms: `ansible all -m command -a true` on three hosts, the whole program run;
    salt_start_ms: a master and 3 minions, keys made and every CURVE handshake done; salt_ping_ms: `test.ping` on 3."""
    hosts = start_hosts(("bench-web1", "bench-web2", "bench-db1"))
    try:
        connect = median_ms(lambda: connect_and_close(hosts[0]), 30)
        with hosts[0].connection() as conn:
            conn.run("true", hide=True)  # warm: the connection is open before timing starts
            run_ms = median_ms(lambda: conn.run("true", hide=True), 100)
        inventory = control_folder() / "bench-inventory.ini"
        inventory.write_text(inventory_text(hosts))
        ansible = Ansible(inventory)
        ansible.adhoc("all", "true")
        adhoc = median_ms(lambda: ansible.adhoc("all", "true"), 3)
        folders = {host.name: host.folder for host in hosts}
        salt_start = median_ms(lambda: SaltModel(folders, name="bench-salt").start().stop(), 5)
        with SaltModel(folders, name="bench-salt") as salt:
            salt_ping = median_ms(lambda: salt.cmd("*", "test.ping"), 50)
    finally:
        for host in hosts:
            host.stop()
    return {"ssh_connect_ms": connect, "ssh_run_ms": run_ms, "ansible_adhoc_ms": adhoc, "salt_start_ms": salt_start,
            "salt_ping_ms": salt_ping}


if __name__ == "__main__":
    print(run({}))
