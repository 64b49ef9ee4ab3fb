"""The size-and-time chart stays readable at every scale: no tick label touches another, each tick says its unit;
the table marks the quickest encode and decode."""
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from helpers.serialization import Measurement, measurements_table, plot_measurements

ONE = [("json", 199, 13.5, 5.0), ("pickle", 235, 12.1, 2.8), ("msgpack", 117, 0.8, 0.9),
       ("cbor", 136, 3.5, 1.8), ("protobuf", 87, 3.3, 15.0), ("avro", 77, 4.0, 4.5)]


def results(scale):
    """The six formats' measurements of ONE, sizes and times times `scale` (many records)."""
    return [Measurement(name, max(1, int(size * scale)), enc * scale, dec * scale) for name, size, enc, dec in ONE]


def tick_texts(fig):
    """Every x tick label inside the axes, and offset text, drawn on fig: (text, bounding box in pixels)."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    texts = []
    for ax in fig.axes:
        low, high = sorted(ax.get_xlim())
        texts += [t for x, t in zip(ax.get_xticks(), ax.get_xticklabels()) if low <= x <= high and t.get_text()]
        texts += [t for t in [ax.xaxis.get_offset_text()] if t.get_text()]
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts]


@pytest.mark.parametrize("scale", [1, 30, 525, 1000, 30_000, 1_000_000])  # 525: about 120 kB, where it happened
def test_no_tick_label_overlaps_another(scale):
    texts = tick_texts(plot_measurements(results(scale), "records"))
    for n, (text, box) in enumerate(texts):
        for other, other_box in texts[n + 1:]:
            assert not box.overlaps(other_box), f"{text!r} overlaps {other!r} at scale {scale}"


@pytest.mark.parametrize("scale", [1, 30_000])
def test_every_tick_names_its_unit(scale):
    labels = [text for text, _ in tick_texts(plot_measurements(results(scale)))]
    assert labels and all(text.endswith(("B", "s")) for text in labels), labels  # no bare numbers, no 1e6


def test_the_table_marks_the_quickest_encode_and_decode():
    table = measurements_table(results(1))
    assert table.count("<b>") == 2
    assert "<b>0.8</b>" in table and "<b>1.8</b>" not in table and "<b>0.9</b>" in table
