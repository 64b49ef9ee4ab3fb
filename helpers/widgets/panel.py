"""The services panel: what runs in this kernel, live counters, and a Stop button per row."""
import html
import threading
import weakref

import ipywidgets as w

from helpers.core import registry

COLUMNS = ("name", "kind", "address", "pid / thread", "uptime", "messages", "clients", "bytes in / out", "")


def describe(service):
    """One row of the panel as text cells."""
    if hasattr(service, "refresh_stats"):
        service.refresh_stats()
    stats = service.stats.as_dict()
    host, port = service.address
    where = getattr(service, "endpoint", None) or f"{host}:{port}"  # ZeroMQ services show their endpoint
    return [service.name, service.kind, where, service.where, f"{service.uptime:.0f} s",
            str(stats["messages"]), str(stats["clients"]), f"{stats['bytes_in']:,} / {stats['bytes_out']:,}"]


class ServicesPanel(w.VBox):
    """A live table of running services with Stop buttons; refreshes every second."""

    def __init__(self, interval=1.0):
        self.table = w.GridBox(layout=w.Layout(grid_template_columns=f"repeat({len(COLUMNS)}, max-content)",
                                               grid_gap="2px 14px"))
        self.stop_all = w.Button(description="Stop all", button_style="danger", icon="stop")
        self.stop_all.on_click(lambda _: registry.stop_all())
        self.empty = w.HTML("<i>no services running</i>")
        self.rows, self.buttons, self._shown = {}, {}, None
        super().__init__([self.table, self.empty, self.stop_all])
        self._done, self._lock = threading.Event(), threading.Lock()
        self.refresh()
        me = weakref.ref(self)
        registry.on_change(lambda: me() and me().refresh())
        threading.Thread(target=_tick, args=(me, interval, self._done), daemon=True,
                         name="services-panel").start()

    def refresh(self):
        """Update the counters; rebuild the rows only when services started or stopped."""
        with self._lock:
            self._refresh()

    def _refresh(self):
        services = registry.running()
        if [id(s) for s in services] != self._shown:
            self._rebuild(services)
        for service in services:
            for cell, text in zip(self.rows[service.name], describe(service)):
                cell.value = html.escape(text)

    def _rebuild(self, services):
        old = self.table.children
        self.rows, self.buttons, self._shown = {}, {}, [id(s) for s in services]
        cells = [w.HTML(f"<b>{c}</b>") for c in COLUMNS] if services else []
        for service in services:
            self.rows[service.name] = [w.HTML() for _ in COLUMNS[:-1]]
            button = w.Button(description="Stop", icon="stop", layout=w.Layout(width="80px"))
            button.on_click(lambda _, s=service: s.stop())
            self.buttons[service.name] = button
            cells += self.rows[service.name] + [button]
        self.table.children = cells
        self.empty.layout.display = "none" if services else None
        for widget in old:
            widget.close()

    def close(self):
        self._done.set()
        super().close()


def _tick(panel_ref, interval, done):
    while not done.wait(interval):
        panel = panel_ref()
        if panel is None:
            return
        panel.refresh()
        del panel


def services_panel():
    """Show the services panel for this kernel."""
    return ServicesPanel()
