"""The supervisor's live view: requests per second as a moving line, requests per worker as notebook 04's bars."""
import ipywidgets as widgets

from helpers.zeromq.broker_view import bar_chart

SPARK = "▁▂▃▄▅▆▇█"
WIDTH = 60  # samples shown: 15 s at four a second
LOAD_S = 15.0  # seconds of load each button press adds


def sparkline(values):
    """Values as a line of block characters scaled to the largest."""
    top = max(values, default=0) or 1
    return "".join(SPARK[min(len(SPARK) - 1, int(len(SPARK) * v / top))] for v in values)


class OrchestraView(widgets.VBox):
    """Buttons to crash, add and remove workers, each with 15 s of load to show it; the chart follows the samples."""

    def __init__(self, team):
        self.team, self.before = team, dict(team.hub.handled)
        buttons = [("crash a worker", "bolt", lambda: team.crash()),
                   ("add a worker", "plus", lambda: team.scale(team.replicas + 1)),
                   ("remove a worker", "minus", lambda: team.scale(max(1, team.replicas - 1))),
                   ("load for 15 s", "play", lambda: None)]
        self.buttons = [widgets.Button(description=text, icon=icon) for text, icon, _ in buttons]
        for button, (_, _, act) in zip(self.buttons, buttons):
            button.on_click(lambda _, act=act: (team.send_load(LOAD_S), act()))  # a change shows only under load
        self.rate = widgets.Label("").add_class("dis-orchestra-rate")
        self.line = widgets.HTML("").add_class("dis-orchestra-line")
        self.bars = widgets.HTML("").add_class("dis-orchestra-bars")
        self.news = widgets.Label("").add_class("dis-orchestra-events")
        super().__init__([widgets.HBox(self.buttons), self.rate, self.line, self.news,
                          widgets.HTML("<b>requests handled per worker</b> (since this view opened)"), self.bars])
        self.add_class("dis-orchestra")
        team.listeners.append(self.show)

    def show(self, team):
        """Called by the supervisor after each sample (from its thread: widget values may be set there)."""
        t, rate, workers = team.samples[-1]
        resting = "" if team.sending else " - the clients rest: press a button"
        self.rate.value = f"{rate:,.0f} requests/s at {t:.1f} s, {workers} workers (wanted: {team.replicas}){resting}"
        recent = [r for _, r, _ in team.samples[-WIDTH:]]
        self.line.value = f"<pre style='margin:0'>{sparkline(recent)}</pre>"
        counts = {w: team.hub.handled.get(w, 0) - self.before.get(w, 0) for w in team.hub.workers}
        self.bars.value = bar_chart(counts)
        latest = "; ".join(f"{text} at {t:.1f} s" for t, text in team.events[-2:])
        self.news.value = f"latest: {latest}" if latest else ""


def orchestra_view(team):
    """The live view of a running supervisor."""
    return OrchestraView(team)
