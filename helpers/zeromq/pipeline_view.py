"""Notebook 05's widget: pick workers and tasks, run the pipeline, watch progress, counts and the time per run."""
import html
import threading
import time

import ipywidgets as widgets

from helpers.core.errors import ServiceError
from helpers.zeromq.pipeline import run_pipeline

BAR = 30  # characters in a full bar
REFRESH = 0.05  # seconds between two progress updates sent to the page


def bars(rows, unit=""):
    """Rows of (label, value, note) drawn as text bars scaled to the largest value, as HTML."""
    top = max((value for _, value, _ in rows), default=0) or 1
    lines = [f"{html.escape(label):>10} {'█' * max(1, round(BAR * value / top)):<{BAR}} {value:g}{unit} {note}"
             for label, value, note in rows]
    return "<pre style='margin:0'>" + "\n".join(lines) + "</pre>"


class PipelineView(widgets.VBox):
    """Sliders for workers and tasks, a Run button, a live progress bar, counts per worker, time per worker count."""

    def __init__(self, workers=2, tasks=40, max_workers=4):
        self.workers = widgets.IntSlider(workers, min=1, max=max_workers, description="workers")
        self.tasks = widgets.IntSlider(tasks, min=10, max=200, step=10, description="tasks")
        self.button = widgets.Button(description="Run", button_style="primary")
        self.progress = widgets.FloatProgress(0, min=0, max=1, description="progress")
        self.status = widgets.Label("press Run")
        self.counts = widgets.HTML("").add_class("dis-worker-counts")
        self.chart = widgets.HTML("").add_class("dis-time-chart")
        self.times, self.last, self._thread = {}, None, None
        self.button.on_click(lambda _: self.start())
        super().__init__([widgets.HBox([self.workers, self.tasks, self.button]),
                          widgets.HBox([self.progress, self.status]),
                          widgets.HTML("<b>results per worker</b>"), self.counts,
                          widgets.HTML("<b>total time by number of workers</b> (last run of each)"), self.chart])
        self.add_class("dis-pipeline")

    def start(self):
        """Run the pipeline in a background thread (the page stays live); ignored while a run is going."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self.run, name="pipeline-view", daemon=True)
        self._thread.start()

    def run(self):
        """One run with the sliders' values; the widgets follow it as results arrive."""
        self.button.disabled, shown = True, [0.0]
        total = self.tasks.value
        self.progress.value, self.status.value, self.counts.value = 0, f"0/{total} tasks: starting workers", ""

        def progress(run):
            if len(run.results) == total or time.monotonic() - shown[0] > REFRESH:
                shown[0] = time.monotonic()
                self.show(run)

        try:
            self.last = run_pipeline(self.workers.value, total, progress=progress)
            self.show(self.last)
            self.times[self.last.workers] = self.last.seconds
            self.chart.value = bars([(f"{n} worker{'s' * (n > 1)}", round(t, 2), f"×{self.times.get(1, t) / t:.2f}"
                                      if 1 in self.times else "") for n, t in sorted(self.times.items())], " s")
        except ServiceError as error:
            self.status.value = f"error: {error}"
        finally:
            self.button.disabled = False

    def show(self, run):
        """Progress, status line and counts for a run in progress or done."""
        done = len(run.results)
        self.progress.value = done / run.tasks
        self.status.value = f"{done}/{run.tasks} tasks ({100 * done // run.tasks}%) in {run.seconds:.2f} s"
        self.counts.value = bars([(name, count, "") for name, count in sorted(run.per_worker.items())])


def pipeline_view(workers=2, tasks=40):
    """The pipeline widget: set workers and tasks, press Run."""
    return PipelineView(workers, tasks)


def plot_times(runs):
    """A matplotlib figure of total time (and speed-up) against the number of workers, from a list of Runs."""
    import matplotlib.pyplot as plt  # imported here: only this picture needs matplotlib

    fig, ax = plt.subplots(figsize=(6, 3.2))
    plt.close(fig)  # the notebook shows the returned figure once
    counts, seconds = [r.workers for r in runs], [r.seconds for r in runs]
    ax.bar(counts, seconds, color="tab:blue")
    for n, s in zip(counts, seconds):
        ax.annotate(f"×{seconds[0] / s:.2f}", (n, s), ha="center", va="bottom")
    ax.set(xlabel="workers", ylabel="total time (s)", xticks=counts, title=f"{runs[0].tasks} CPU-bound tasks")
    fig.tight_layout()
    return fig
