"""RabbitMQ: the installed rabbitmq-server run as the learner's own user, and pika clients.

On a shared machine every account reaches 127.0.0.1. Each start makes its own AMQP user (your account name)
with a fresh password, and no `guest`, in a config file; and a fresh Erlang cookie, the secret that lets a
node run code in the broker's VM. Both are files only you can read (0600, in a 0700 folder), never arguments.
"""
import json
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import tempfile
import threading
import time
import uuid
from itertools import count as counter
from pathlib import Path

import pika

from helpers.brokers.stomp import account_name
from helpers.core.credentials import new_secret, write_private
from helpers.core.errors import ServiceError
from helpers.core.ports import HOST, free_port, is_listening, port_clash, retry_port_clash
from helpers.core.process import ProcessService, end_process, spawn

# where RabbitMQ's own start script lives: Debian/Ubuntu (the script, not /usr/sbin's wrapper that
# switches to the system's rabbitmq user), then Homebrew on Apple silicon and on Intel
PLACES = ["/usr/lib/rabbitmq/bin/rabbitmq-server", "/opt/homebrew/sbin/rabbitmq-server",
          "/usr/local/sbin/rabbitmq-server"]
EPMD_PLACES = ["/usr/lib/erlang/bin/epmd", "/opt/homebrew/bin/epmd", "/usr/local/bin/epmd"]
HOW_TO_GET = ("RabbitMQ is not installed here: `sudo apt install rabbitmq-server` (Debian/Ubuntu) or "
              "`brew install rabbitmq` (macOS), then restart the kernel; the rest of the notebook runs without it")
# a port another program took: epmd's words for it (it mistakes any listener for an epmd), then the VM's
CLASH = re.compile(r"already a epmd running|dist_port_already_used|eaddrinuse|address already in use", re.IGNORECASE)
BOOT_STEPS = 65  # "Running boot step" lines RabbitMQ 3.10 logs on the way up: the progress bar's 100 %
_numbers = counter()

guarantees = {
    "delivery": "at least once with acks (unacked messages are redelivered); at most once with auto-ack",
    "ordering": "FIFO per queue; a redelivered message can come back later",
    "persistence": "durable queues + persistent messages survive a restart; else in memory",
    "who holds the queue": "the broker: queues live in RabbitMQ, fed by exchanges",
}


def _is_wrapper(path):
    """True for Debian's /usr/sbin wrapper, which only root or the rabbitmq user may run."""
    return Path(path).resolve().name == "rabbitmq-script-wrapper"


def rabbitmq_program():
    """Path of an installed rabbitmq-server start script; ServiceError (one line: how to get it) if none."""
    found = shutil.which("rabbitmq-server")
    for path in [*PLACES, *([found] if found else [])]:
        if os.access(path, os.X_OK) and not _is_wrapper(path):
            return path
    raise ServiceError(HOW_TO_GET)


def epmd_program(rabbitmq):
    """Path of Erlang's port mapper `epmd`, on PATH or next to the Erlang that RabbitMQ uses."""
    found = shutil.which("epmd")
    parents = Path(rabbitmq).resolve().parents  # Homebrew: <prefix>/Cellar/rabbitmq/V/sbin/rabbitmq-server
    near = [str(parents[3] / "bin" / "epmd")] if len(parents) > 3 else []
    for path in [*([found] if found else []), *EPMD_PLACES, *near]:
        if os.access(path, os.X_OK):
            return path
    raise ServiceError("RabbitMQ is installed but Erlang's `epmd` was not found: reinstall the erlang package")


def epmd_answers(port, timeout=0.2):
    """True if an epmd at port answers a NAMES request (a real one starts its reply with its own port number)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(b"\x00\x01n")  # a 1-byte request: 'n', NAMES
            return sock.recv(4) == struct.pack("!I", port)
    except OSError:
        return False


def rabbitmq_available(quiet=False):
    """True if a RabbitMQ program is installed; otherwise print (unless quiet) one line on how to get it."""
    try:
        rabbitmq_program()
        return True
    except ServiceError as missing:
        if not quiet:
            print(missing)
        return False


def _family(pid):
    """The process ids descending from pid (Erlang's helpers start sessions of their own, outside its group)."""
    children = {}
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as stat:
                        parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(parent, []).append(int(entry.name))
    except FileNotFoundError:  # no /proc (macOS): ask ps
        try:
            lines = subprocess.run(["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True,
                                   timeout=5).stdout.split("\n")
        except (OSError, subprocess.SubprocessError):
            return []
        for line in lines:
            if line.split():
                child, parent = map(int, line.split())
                children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _signal(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _alive(pid):
    """True while pid runs (a zombie waiting for its parent counts as ended)."""
    if not os.path.isdir("/proc/self"):  # macOS
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _sweep_stale():
    """Remove our folders of brokers whose kernel was killed before it could clean up."""
    for folder in Path(tempfile.gettempdir()).glob("rabbitmq-*"):
        try:
            owner = int((folder / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        if owner != os.getpid() and not _alive(owner) and folder.stat().st_uid == os.getuid():
            shutil.rmtree(folder, ignore_errors=True)


def progress_line():
    """A progress callback for start-up: a bar and one line in a notebook, printed lines elsewhere."""
    try:
        import ipywidgets as widgets
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is None or not hasattr(get_ipython(), "kernel"):
            raise ImportError
    except ImportError:
        return lambda fraction, text: print(f"{fraction:4.0%}  {text}", flush=True)
    bar = widgets.FloatProgress(min=0, max=1, layout=widgets.Layout(width="220px"))
    label = widgets.Label()
    shown = []

    def report(fraction, text):
        if not shown:
            display(widgets.HBox([bar, label]))
            shown.append(True)
        bar.value, label.value = fraction, text
        bar.bar_style = "success" if fraction >= 1 else ""
    return report


class RabbitMQServer(ProcessService):
    """rabbitmq-server as this user: private node name, epmd, ports, data, logs, user and cookie in a temp folder."""

    kind = "rabbitmq process"
    protocol = "amqp"
    start_timeout = 90.0  # start-up takes seconds, many more on a busy machine
    stop_timeout = 5.0  # a graceful stop takes about a second (longer while a bad client hangs on); then SIGKILL

    def __init__(self, name="rabbitmq", port=0, progress=None):
        super().__init__(name)
        self.port, self.progress = port, progress
        self._dir, self.process, self.epmd, self.start_ms = None, None, None, None
        self.user, self.password = account_name(), None

    @property
    def url(self):
        """The amqp:// URL clients connect to, with the user but not the password."""
        return f"amqp://{self.user}@{self.address[0]}:{self.address[1]}/%2F"

    @property
    def credentials(self):
        """This start's user and password for pika (there is no guest user)."""
        return pika.PlainCredentials(self.user, self.password)

    @property
    def banner(self):
        """What a terminal user needs to connect (`python -m helpers serve rabbitmq`)."""
        return (f"AMQP clients connect to {self.url} with the password {self.password} (made for this start; "
                f"pika.PlainCredentials(user, password)); Erlang node {self.node}; logs in {self._dir}")

    @property
    def log_path(self):
        return Path(self._dir) / "console.log"  # RabbitMQ logs to its output: written at once

    def _env(self):
        d = Path(self._dir)
        (d / "rabbitmq-env.conf").touch()  # read instead of the system's /etc/rabbitmq/rabbitmq-env.conf
        (d / "enabled_plugins").write_text("[].\n")
        # the kernel's own RABBITMQ_* and ERL_* settings (say a system install's) must not leak in
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update(
            HOME=str(d), ERL_EPMD_PORT=str(self.epmd_port), ERL_EPMD_ADDRESS=HOST,
            ERL_CRASH_DUMP=str(d / "erl_crash.dump"),
            RABBITMQ_CONF_ENV_FILE=str(d / "rabbitmq-env.conf"), RABBITMQ_CONFIG_FILE=str(d / "rabbitmq"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(d / "advanced.config"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(d / "enabled_plugins"),
            RABBITMQ_MNESIA_BASE=str(d / "mnesia"), RABBITMQ_LOG_BASE=str(d / "log"), RABBITMQ_LOGS="-",
            RABBITMQ_PID_FILE=str(d / "rabbit.pid"), RABBITMQ_PLUGINS_EXPAND_DIR=str(d / "plugins"),
            RABBITMQ_NODENAME=self.node, RABBITMQ_USE_LONGNAME="false", RABBITMQ_NODE_IP_ADDRESS=HOST,
            RABBITMQ_NODE_PORT=str(self.address[1]), RABBITMQ_DIST_PORT=str(self.dist_port),
            # exec the VM in place of the start script (one process to signal), still without a shell;
            # never start an epmd of its own (ours runs), distribution on loopback only, Ctrl-C ignored
            RABBITMQ_ALLOW_INPUT="1",
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-noinput +B i -start_epmd false "
                                                "-kernel inet_dist_use_interface {127,0,0,1}",
        )
        env.pop("NOTIFY_SOCKET", None)  # not under systemd
        return env

    def command(self):
        return [rabbitmq_program()]

    def _report(self, fraction, text):
        if self.progress is not None:
            try:
                self.progress(fraction, text)
            except Exception:  # a broken progress display must not break the server
                pass

    def _report_once(self, fraction, text):
        if text != self._last_report:
            self._last_report = text
            self._report(fraction, text)

    def _start(self):
        self._last_report = None
        program = rabbitmq_program()  # before anything starts: no program, one line on how to get it
        epmd = epmd_program(program)
        if self.port and is_listening((HOST, self.port)):
            raise ServiceError(f"{self.name}: port {self.port} on {HOST} is already in use (address already in use)")
        _sweep_stale()
        # epmd and the VM take port numbers, not sockets: another program may bind one first, so start again
        retry_port_clash(lambda: self._start_once(program, epmd), attempts=1 if self.port else 8)

    def _secrets(self):
        """This start's user, password and Erlang cookie, in files only this account can read."""
        d = Path(self._dir)
        self.password = new_secret()
        write_private(d / "rabbitmq.conf", f"default_user = {self.user}\ndefault_pass = {self.password}\n"
                                           "default_vhost = /\n")  # the one user; no guest is ever created
        # whoever holds the cookie and reaches the VM's distribution port can run any code in it
        write_private(d / ".erlang.cookie", new_secret(24))

    def _start_once(self, program, epmd):
        self._dir = tempfile.mkdtemp(prefix="rabbitmq-")  # 0700
        Path(self._dir, "owner.pid").write_text(str(os.getpid()))
        self._secrets()
        self.node = f"dis-{os.getpid()}-{next(_numbers)}@localhost"
        self.epmd_port, self.dist_port = free_port(), free_port()
        self.address = (HOST, self.port or free_port())
        begin = time.monotonic()
        try:
            self._report(0.0, f"starting epmd, Erlang's port mapper, on port {self.epmd_port}")
            # -d: it says why it quits (without, a taken port ends it silently, with status 0)
            self.epmd = self._spawn([epmd, "-d", "-port", str(self.epmd_port), "-address", HOST], "epmd.log",
                                    process_group=0)  # a group of its own, which the VM then joins
            self._wait_for(lambda: epmd_answers(self.epmd_port) and self.epmd.poll() is None, self.epmd, "epmd", begin)
            self._report(0.03, f"starting the Erlang VM for node {self.node}")
            self.process = self._spawn([program], "console.log", process_group=self.epmd.pid)
            self._wait_for(self._ready_with_progress, self.process, self.name, begin)
        except BaseException:
            self._kill()
            self._cleanup()
            raise
        self.start_ms = (time.monotonic() - begin) * 1000
        self._report(1.0, f"ready in {self.start_ms / 1000:.1f} s: AMQP on {self.address[0]}:{self.address[1]}")

    def _spawn(self, argv, log, **popen_args):
        with open(Path(self._dir) / log, "wb") as out:  # the child keeps its own copy of the file
            return spawn(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=self._dir,
                         env=self._env(), **popen_args)

    def _wait_for(self, ready, process, what, begin):
        while not ready():
            if process.poll() is not None:
                said = self.log_tail() or "no message"
                clash = " (address already in use)" if CLASH.search(self._logs()) and not port_clash(said) else ""
                raise ServiceError(f"{what} exited at start: {said}{clash}")
            if time.monotonic() - begin > self.start_timeout:
                raise ServiceError(f"{self.name} did not become ready within {self.start_timeout:g} s "
                                   f"(last log line: {self.log_tail() or 'none'})")
            time.sleep(0.05)

    def _ready_with_progress(self):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            text = ""
        steps = re.findall(r"Running boot step (\S+)", text)
        version = re.search(r"Starting RabbitMQ (\S+) on Erlang (\S+)", text)
        if steps:
            done = min(len(steps), BOOT_STEPS) / BOOT_STEPS
            self._report_once(0.1 + 0.85 * done, f"boot step {len(steps)}: {steps[-1]}")
        elif version:
            self._report_once(0.08, f"RabbitMQ {version[1]} on Erlang {version[2]}: opening its database")
        if "started TCP listener" not in text and not is_listening(self.address, timeout=0.1):
            return False
        return self.ready()

    def ready(self):
        """True once a real AMQP connection (pika) opens and closes."""
        try:
            self.client(timeout=2.0).close()
            return True
        except Exception:  # pika raises many kinds while the broker boots; the next poll tries again
            return False

    def _logs(self):
        """What RabbitMQ and epmd wrote so far, as one text."""
        text = ""
        for log in ("console.log", "epmd.log"):
            try:
                text += (Path(self._dir) / log).read_text(errors="replace") + "\n"
            except (OSError, TypeError):
                pass
        return text

    def log_tail(self):
        """The last line worth reading from RabbitMQ's log or console (never shown in a notebook cell)."""
        lines = self._logs().splitlines()
        errors = [line for line in lines if re.search(r"error|fail|eaddrinuse|denied", line, re.I)]
        last = (errors or [line for line in lines if line.strip()] or [""])[-1]
        return re.sub(r"^\S+ \S+ \[\w+\] <[\d.]+> ", "", last).strip()[:300]

    def _stop(self):
        self._kill()
        self._cleanup()

    def _kill(self):
        """SIGTERM (RabbitMQ stops gracefully), SIGKILL after stop_timeout; then Erlang's helpers, then epmd."""
        helpers = []
        if self.process is not None:
            helpers = _family(self.process.pid)  # erl_child_setup, inet_gethost: sessions of their own
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                helpers += [pid for pid in _family(self.process.pid) if pid not in helpers]
            end_process(self.process, 0)
        deadline = time.monotonic() + 2  # they end by themselves once the VM has gone
        while time.monotonic() < deadline and any(map(_alive, helpers)):
            time.sleep(0.02)
        _signal([pid for pid in helpers if _alive(pid)], signal.SIGKILL)
        if self.epmd is not None:
            group = self.epmd.pid
            self.epmd.terminate()
            end_process(self.epmd, 2)
            try:  # anything else that stayed in the group
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.process = self.epmd = None

    def _cleanup(self):
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)

    @property
    def where(self):
        return f"pid {self.process.pid}" if self.running and self.process else ""

    def client(self, timeout=5.0):
        """A pika BlockingConnection to this broker, as this start's user, with timeouts everywhere and one attempt."""
        params = pika.ConnectionParameters(host=self.address[0], port=self.address[1], credentials=self.credentials,
                                           connection_attempts=1, socket_timeout=timeout, stack_timeout=timeout + 1,
                                           blocked_connection_timeout=timeout, heartbeat=60)
        return pika.BlockingConnection(params)


def rabbitmq_server(name="rabbitmq", port=0, progress=None):
    """A fresh rabbitmq-server (unstarted); start() returns it, `.client()` connects with pika.

    progress(fraction, text) is called along the way (try `progress=progress_line()`).
    """
    return RabbitMQServer(name, port=port, progress=progress)


def _drain(conn, done, deadline):
    """Let pika deliver to its callbacks until done() or the deadline."""
    while not done() and time.monotonic() < deadline:
        conn.process_data_events(time_limit=0.05)


def pubsub_rate(server, count=1000, size=100, timeout=10.0):
    """One publisher, one subscriber through a fanout exchange: messages per second, median latency (µs), lost."""
    exchange = f"bench-{uuid.uuid4().hex[:8]}"
    latencies, last, ready, failed = [], [0], threading.Event(), []
    deadline = time.monotonic() + timeout

    def subscribe():
        try:
            conn = server.client()
        except Exception as error:  # reported below, in the caller's thread
            failed.append(error)
            ready.set()
            return
        try:
            ch = conn.channel()
            ch.exchange_declare(exchange, "fanout", auto_delete=True)
            queue = ch.queue_declare("", exclusive=True).method.queue
            ch.queue_bind(queue, exchange)

            def arrived(ch, method, props, body):
                latencies.append(time.perf_counter_ns() - struct.unpack_from("!q", body)[0])
                last[0] = time.perf_counter_ns()
            ch.basic_consume(queue, arrived, auto_ack=True)
            ready.set()
            _drain(conn, lambda: len(latencies) >= count, deadline)
        except Exception as error:
            failed.append(error)
        finally:
            ready.set()
            conn.close()

    thread = threading.Thread(target=subscribe, name="rabbitmq-subscriber", daemon=True)
    thread.start()
    ready.wait(timeout)
    if failed:
        thread.join(1)
        raise ServiceError(f"the RabbitMQ subscriber failed: {failed[0]!r}")
    conn = server.client()
    try:
        ch = conn.channel()
        padding = b"x" * max(0, size - 8)
        start = time.perf_counter_ns()
        for _ in range(count):
            ch.basic_publish(exchange, "", struct.pack("!q", time.perf_counter_ns()) + padding)
        conn.process_data_events(time_limit=0)  # push out what pika still buffers
    finally:
        thread.join(max(0.0, deadline - time.monotonic()) + 2)
        conn.close()
    got = len(latencies)
    seconds = max(last[0] - start, 1) / 1e9
    return dict(msgs_s=got / seconds if got else 0.0, latency_us=statistics.median(latencies) / 1000 if got else None,
                lost=count - got)


def queue_round(server, items, consumers=2, timeout=10.0, prefetch=1):
    """Hand items (JSON values) to `consumers` workers on one queue, acked one by one: {consumer: [items]}."""
    items = list(items)
    queue = f"work-{uuid.uuid4().hex[:8]}"
    names = [f"consumer-{n + 1}" for n in range(consumers)]
    got, lock, subscribed = {name: [] for name in names}, threading.Lock(), threading.Barrier(consumers + 1)
    deadline = time.monotonic() + timeout

    def total():
        with lock:
            return sum(map(len, got.values()))

    def work(name):
        conn = server.client()
        try:
            ch = conn.channel()
            ch.queue_declare(queue, auto_delete=True)
            ch.basic_qos(prefetch_count=prefetch)

            def take(ch, method, props, body):
                with lock:
                    got[name].append(json.loads(body))
                ch.basic_ack(method.delivery_tag)
            ch.basic_consume(queue, take)
            subscribed.wait(timeout)
            _drain(conn, lambda: total() >= len(items), deadline)
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(name,), name=f"rabbitmq-{name}", daemon=True) for name in names]
    for thread in threads:
        thread.start()
    try:
        subscribed.wait(timeout)  # every worker consumes before the first item goes out
    except threading.BrokenBarrierError:
        raise ServiceError(f"the RabbitMQ workers did not subscribe within {timeout:g} s") from None
    conn = server.client()
    try:
        ch = conn.channel()
        for item in items:
            ch.basic_publish("", queue, json.dumps(item).encode())
    finally:
        conn.close()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 2)
    return got


def rabbitmq_start_ms(runs=3):
    """Median milliseconds from start() to a broker that accepts an AMQP connection, over `runs` fresh servers."""
    times = []
    for n in range(runs):
        server = rabbitmq_server(f"rabbitmq-start-{n}").start()
        times.append(server.start_ms)
        server.stop()
    return statistics.median(times)
