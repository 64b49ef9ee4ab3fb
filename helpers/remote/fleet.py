"""The fleet widget: the hosts as rows, a command box, Run with Fabric or Ansible, and a button that stops a host."""
import contextlib
import html

import ipywidgets as w

from helpers.core.errors import ServiceError
from helpers.remote.fabric_runs import run_everywhere
from helpers.remote.tables import missing


def _cell(text, limit=300):
    text = "" if missing(text) else str(text).rstrip("\n")  # None, NaN and <NA> show as nothing
    return html.escape(text if len(text) <= limit else text[:limit] + " ...")


def fabric_rows(hosts, command):
    """{host: {exit, output, error}} from Fabric's ThreadingGroup."""
    return {r.host: {"exit": None if missing(r.exit) else int(r.exit), "output": r.stdout + r.stderr,
                     "error": r.error} for r in run_everywhere(hosts, command).itertuples()}


def ansible_rows(ansible, command):
    """{host: {exit, output, error, status}} from an Ansible ad-hoc run of the shell module."""
    return {r.host: {"exit": None if missing(r.rc) else int(r.rc), "output": r.stdout + r.stderr,
                     "error": r.msg if r.status in ("failed", "unreachable") else "", "status": r.status}
            for r in ansible.adhoc("all", command, module="shell").itertuples()}


class Fleet(w.VBox):
    """Type a command, pick a tool, press Run: each host's output and exit status appear in its row."""

    def __init__(self, hosts, ansible, command="hostname; pwd; ls"):
        self.hosts, self.ansible = list(hosts), ansible
        self.command = w.Text(value=command, layout=w.Layout(width="300px")).add_class("dis-fleet-command")
        self.tool = w.Dropdown(options=["Fabric", "Ansible"], value="Fabric",
                               layout=w.Layout(width="100px")).add_class("dis-fleet-tool")
        self.run_button = w.Button(description="Run", button_style="primary", icon="play").add_class("dis-fleet-run")
        self.victim = w.Dropdown(options=[h.name for h in self.hosts], value=self.hosts[-1].name,
                                 layout=w.Layout(width="90px"))
        self.stop_button = w.Button(description="Stop host", button_style="danger", icon="stop")
        self.start_button = w.Button(description="Start it again", icon="refresh")
        self.table = w.HTML().add_class("dis-fleet-table")
        self.note = w.HTML("<i>press Run</i>").add_class("dis-fleet-note")
        self.run_button.on_click(lambda _: self.run())
        self.stop_button.on_click(lambda _: self.stop_host())
        self.start_button.on_click(lambda _: self.start_host())
        self.rows = {h.name: {} for h in self.hosts}
        self._show()
        super().__init__([w.HBox([self.command, self.tool, self.run_button]),
                          w.HBox([self.victim, self.stop_button, self.start_button]), self.table, self.note])
        self.add_class("dis-fleet")

    def run(self, command=None, tool=None):
        """Run the command (or the box's) on every host with the tool (or the dropdown's); fill the rows."""
        command, tool = command or self.command.value, tool or self.tool.value
        with self._busy(f"{html.escape(tool)} runs <code>{html.escape(command)}</code> on {len(self.hosts)} hosts"
                        f"{' (Ansible starts Python on each host: a few seconds)' if tool == 'Ansible' else ''}"):
            try:
                self.rows = (fabric_rows(self.hosts, command) if tool == "Fabric"
                             else ansible_rows(self.ansible, command))
                self.note.value = (f"{html.escape(tool)} ran <code>{html.escape(command)}</code> "
                                   f"on {len(self.hosts)} hosts")
            except ServiceError as error:
                self.note.value = f"<b>error:</b> {html.escape(str(error))}"
            self._show()
        return self.rows

    def stop_host(self):
        """Stop the chosen host, then run `hostname` with both tools so each one's report can be compared."""
        host = self._chosen()
        with self._busy(f"stopping {host.name}, then asking Fabric and Ansible for every host's name "
                        "(several seconds: each tool waits for every host's answer)"):
            host.stop()
            self._show()
            fabric_says = self.run("hostname", "Fabric")[host.name]
            ansible_says = self.run("hostname", "Ansible")[host.name]
        self.note.value = (f"<b>{host.name} is stopped.</b><br>Fabric says: <code>{_cell(fabric_says['error'])}</code>"
                           f"<br>Ansible says: <code>{ansible_says.get('status', '').upper()}: "
                           f"{_cell(ansible_says['error'])}</code>")

    def start_host(self):
        """Start the chosen host again on the same port (a new, empty folder and a new host key)."""
        host = self._chosen()
        with self._busy(f"starting {host.name} again"):
            if not host.running:
                host.wanted_port = host.port
                host.start()
            self.rows[host.name] = {}  # what the stopped host's row said is over
        self.note.value = f"{host.name} runs again on port {host.port}: press Run to ask it something"
        self._show()

    @contextlib.contextmanager
    def _busy(self, doing):
        """Say at once what is under way (and disable the buttons) until the block ends."""
        buttons = (self.run_button, self.stop_button, self.start_button)
        busy_before = [b.disabled for b in buttons]
        for button in buttons:
            button.disabled = True
        self.note.value = f"<i>{doing}&hellip;</i>"
        try:
            yield
        finally:
            for button, before in zip(buttons, busy_before):
                button.disabled = before

    def _chosen(self):
        return next(h for h in self.hosts if h.name == self.victim.value)

    def _show(self):
        rows = "".join(
            f"<tr><td><b>{h.name}</b></td><td>{h.port}</td><td>{'running' if h.running else 'stopped'}</td>"
            f"<td class='dis-fleet-exit'>{_cell(self.rows.get(h.name, {}).get('exit'))}</td>"
            f"<td><pre style='margin:0'>{_cell(self.rows.get(h.name, {}).get('output'))}</pre>"
            f"<span style='color:#c00'>{_cell(self.rows.get(h.name, {}).get('error'))}</span></td></tr>"
            for h in self.hosts)
        head = "".join(f"<th style='text-align:left'>{name}</th>" for name in ("host", "port", "state", "exit",
                                                                                 "output"))
        self.table.value = (f"<table><tr>{head}</tr>"
                            f"{rows}</table>")
