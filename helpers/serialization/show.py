"""Encoded bytes and measurements made readable: hex dumps, tables and a size-and-time chart."""
import html
import io
import string

import matplotlib.pyplot as plt

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
    """HTML: one row per Measurement (format, bytes, encode and decode µs), sizes relative to JSON's if present."""
    json_size = next((m.size for m in results if m.format == "json"), None)
    rows = "".join(
        f"<tr class='dis-ser-row'><td>{m.format}</td><td{RIGHT}>{m.size:,}</td>"
        f"<td{RIGHT}>{f'{m.size / json_size:.0%}' if json_size else ''}</td>"
        f"<td{RIGHT}>{m.encode_us:,.1f}</td><td{RIGHT}>{m.decode_us:,.1f}</td></tr>" for m in results)
    head = ("<tr><th>format</th><th>bytes</th><th>of JSON's size</th><th>encode µs</th>"
            "<th>decode µs</th></tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table class='dis-ser-results'>{cap}{head}{rows}</table>"


def plot_measurements(results, title=""):
    """Two bar charts side by side: encoded size, and encode/decode time, per format; returns the figure."""
    names = [m.format for m in results][::-1]
    rows = range(len(names))
    fig, (size_ax, time_ax) = plt.subplots(1, 2, figsize=(10, 0.6 + 0.45 * len(names)), sharey=True)
    bars = size_ax.barh(names, [m.size for m in results][::-1], color="#55a868")
    size_ax.bar_label(bars, labels=[f"{m.size:,}" for m in results][::-1], padding=3, fontsize=8)
    size_ax.set_xlabel("bytes encoded")
    size_ax.set_xlim(right=max(m.size for m in results) * 1.3)
    time_ax.barh([r + 0.2 for r in rows], [m.encode_us for m in results][::-1], height=0.4, label="encode")
    time_ax.barh([r - 0.2 for r in rows], [m.decode_us for m in results][::-1], height=0.4, label="decode")
    time_ax.set_xlabel("microseconds (median)")
    time_ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    plt.close(fig)
    return fig


def png(fig):
    """A figure as PNG bytes (for an Image widget)."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=90)
    return out.getvalue()
