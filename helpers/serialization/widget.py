"""The format bench: pick a record shape and a number of records, press Measure, compare six formats live."""
import html
import time

import ipywidgets as w

from helpers.serialization.codecs import codecs
from helpers.serialization.shapes import SHAPES
from helpers.serialization.show import measurements_table, plot_measurements, png
from helpers.serialization.timing import measure_all

SHOW_PROGRESS_AFTER = 1.0  # seconds: quicker measurements finish before a bar would be worth showing


class FormatBench(w.VBox):
    """Shape + number of records + Measure: a table and a chart of size and speed, one row per format."""

    def __init__(self, proto, runs=5, min_run_s=0.005, count=200, max_count=5000):
        self.proto, self.runs, self.min_run_s = proto, runs, min_run_s
        self.results, self._started = [], 0.0
        self.shape = w.Dropdown(options=list(SHAPES), value="flat", description="shape").add_class("dis-ser-shape")
        self.count = w.IntSlider(value=count, min=1, max=max_count, step=1, description="records",
                                 continuous_update=False, layout=w.Layout(width="420px")).add_class("dis-ser-count")
        self.button = w.Button(description="Measure", button_style="primary", icon="stopwatch").add_class("dis-ser-measure")
        self.button.on_click(lambda _: self.measure())
        self.progress = w.IntProgress(min=0, max=6, layout=w.Layout(display="none")).add_class("dis-ser-progress")
        self.status = w.HTML("<i>choose a shape and a number of records, then press Measure</i>").add_class("dis-ser-status")
        self.table = w.HTML("").add_class("dis-ser-table")
        self.plot = w.Image(format="png", layout=w.Layout(display="none")).add_class("dis-ser-plot")
        super().__init__([w.HBox([self.shape, self.count, self.button]), self.progress, self.status,
                          self.table, self.plot])
        self.add_class("dis-ser-widget")

    def measure(self):
        """Encode and decode the chosen records in every format; show the results only once all are measured."""
        shape, count = self.shape.value, self.count.value
        self.button.disabled, self.results, self._started = True, [], time.monotonic()
        self.table.value, self.plot.layout.display = "", "none"  # never leave old results beside new settings
        self.progress.value, self.progress.layout.display = 0, "none"
        try:
            records = SHAPES[shape].records(count)
            results = measure_all(codecs(self.proto, shape, many=True), records, self.runs, self.min_run_s,
                                  progress=self._step)
        except Exception as error:  # one clear line, never a traceback in the widget
            self.status.value = f"<span style='color:#b00'>&#9888; {html.escape(str(error) or type(error).__name__)}</span>"
            return []
        finally:
            self.button.disabled, self.progress.layout.display = False, "none"
        took = time.monotonic() - self._started
        title = f"{shape}, {count:,} record{'s' * (count != 1)}"
        self.results = results
        self.table.value = measurements_table(results, caption=title)
        self.plot.value, self.plot.layout.display = png(plot_measurements(results, title)), None
        self.status.value = (f"{len(results)} formats measured in {took:.1f} s; times are medians of {self.runs} "
                             f"runs; every decode gave back exactly what was encoded")
        return results

    def _step(self, done, total, name):
        """Progress: which format is being measured; the bar appears once measuring takes over a second."""
        self.progress.max, self.progress.value = total, done
        if time.monotonic() - self._started > SHOW_PROGRESS_AFTER:
            self.progress.layout.display = None
        self.status.value = f"<i>measuring {name} ({done + 1} of {total})&hellip;</i>"


def format_bench(proto, **options):
    """The format bench widget (proto: from compile_proto())."""
    return FormatBench(proto, **options)
