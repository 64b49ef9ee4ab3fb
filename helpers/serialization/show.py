"""Encoded bytes and measurements made readable: hex dumps, tables and a size-and-time chart."""
import html
import io
import string

import matplotlib.pyplot as plt
from matplotlib.ticker import EngFormatter, MaxNLocator

RIGHT = " style='text-align:right'"  # numbers line up on their last digit
PRINTABLE = set(string.printable.encode()) - set(b"\t\n\r\x0b\x0c")


def as_text(data):
    """The bytes as characters, '·' for those that are not printable ASCII (as hex dumps show them)."""
    return "".join(chr(b) if b in PRINTABLE else "·" for b in data)


def hexdump(data, width=16):
    """Offset, hex and text of data, `width` bytes a line, the way `xxd` shows a file."""
    lines = []
    for start in range(0, len(data), width):
        chunk = data[start:start + width]
        lines.append(f"{start:04x}  {chunk.hex(' '):<{width * 3}} {as_text(chunk)}")
    return "\n".join(lines)


def encodings_table(codecs, value, limit=40):
    """HTML: for each format, the size of value encoded, its first `limit` bytes in hex and as text."""
    rows = []
    for name, codec in codecs.items():
        data = codec.encode(value)
        more = f" &hellip; (+{len(data) - limit})" if len(data) > limit else ""
        rows.append(f"<tr class='dis-ser-encoding'><td>{name}</td><td>{len(data)}</td>"
                    f"<td style='text-align:left'><code>{data[:limit].hex(' ')}</code>{more}</td>"
                    f"<td style='text-align:left'><code>{html.escape(as_text(data[:limit]))}</code></td></tr>")
    head = "<tr><th>format</th><th>bytes</th><th>the bytes in hex</th><th>as text</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def measurements_table(results, caption=""):
    """HTML: one row per Measurement (format, bytes, encode and decode µs), sizes relative to JSON's if present.

    The quickest encode and the quickest decode are in bold.
    """
    json_size = next((m.size for m in results if m.format == "json"), None)
    quickest = (min(m.encode_us for m in results), min(m.decode_us for m in results)) if results else (None, None)

    def time_cell(us, best):
        text = f"{us:,.1f}"
        return f"<td{RIGHT}>{f'<b>{text}</b>' if us == best else text}</td>"

    rows = "".join(
        f"<tr class='dis-ser-row'><td>{m.format}</td><td{RIGHT}>{m.size:,}</td>"
        f"<td{RIGHT}>{f'{m.size / json_size:.0%}' if json_size else ''}</td>"
        f"{time_cell(m.encode_us, quickest[0])}{time_cell(m.decode_us, quickest[1])}</tr>" for m in results)
    head = ("<tr><th>format</th><th>bytes</th><th>of JSON's size</th><th>encode µs</th>"
            "<th>decode µs</th></tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table class='dis-ser-results'>{cap}{head}{rows}</table>"


def plot_measurements(results, title=""):
    """Two bar charts side by side: encoded size, and encode/decode time, per format; returns the figure."""
    names = [m.format for m in results][::-1]
    rows = range(len(names))
    fig, (size_ax, time_ax) = plt.subplots(1, 2, figsize=(10, 1.0 + 0.45 * len(names)), sharey=True)
    bars = size_ax.barh(names, [m.size for m in results][::-1], color="#55a868")
    size_ax.bar_label(bars, labels=[f"{m.size:,}" for m in results][::-1], padding=3, fontsize=8)
    size_ax.set_xlabel("bytes encoded")
    size_ax.set_xlim(right=max(m.size for m in results) * 1.3)
    size_ax.xaxis.set_major_formatter(EngFormatter(unit="B"))  # 500 kB, 1 MB: short labels, no 1e6 in a corner
    seconds = [m.encode_us / 1e6 for m in results][::-1], [m.decode_us / 1e6 for m in results][::-1]
    time_ax.barh([r + 0.2 for r in rows], seconds[0], height=0.4, label="encode")
    time_ax.barh([r - 0.2 for r in rows], seconds[1], height=0.4, label="decode")
    time_ax.set_xlabel("time per call (median)")
    time_ax.xaxis.set_major_formatter(EngFormatter(unit="s"))  # 2 µs, 50 ms: the unit on every tick
    time_ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8, frameon=False)
    for ax in (size_ax, time_ax):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))  # few ticks: labels with units need room
    fig.suptitle(title)
    fig.tight_layout(w_pad=3)  # a gap between the charts: the last size label never meets the first time label
    plt.close(fig)
    return fig


def png(fig):
    """A figure as PNG bytes (for an Image widget)."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=90)
    return out.getvalue()
