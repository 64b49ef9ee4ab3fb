"""The packet inspector: a packet list, the chosen packet's layers and fields, its bytes with one field lit up."""
import html
from dataclasses import dataclass

import ipywidgets as w
from scapy.all import TCP, raw

from helpers.packets.capture import badge
from helpers.packets.sequence import FLAG_NAMES, flag_names

TINTS = ["#eef4ff", "#fff4e5", "#eefbf0", "#f7eefc", "#f2f2f2"]  # one faint colour per layer


@dataclass
class Span:
    """Where a layer (field "") or one of its fields sits in the packet's bytes: [start, end)."""

    layer_index: int  # 0 for the outermost layer
    layer: str  # the layer's class name: "Ether", "IP", "TCP", "Raw"...
    field: str
    start: int  # counted from the first byte of the packet
    end: int
    layer_start: int  # where the layer's header starts
    value: str = ""
    bits: tuple = None  # (first, end) bit counted from the layer's start, for fields smaller than a byte


    @property
    def in_layer(self):
        """The same range counted from the start of the layer's header."""
        return self.start - self.layer_start, self.end - self.layer_start


def dissected(packet):
    """A copy of packet read back from its bytes, so every length and checksum is filled in."""
    return type(packet)(raw(packet))


def layers(packet):
    """The layers of a packet, outermost first."""
    found = []
    while packet:
        found.append(packet)
        packet = packet.payload
    return found


def field_positions(layer):
    """(field, first bit, end bit) for each field of one layer, counted from the layer's start.

    This builds the header field by field as scapy does; bit fields (IP version, TCP flags...)
    leave a partly built byte, which scapy passes on as a tuple (bytes, bits done, value).
    """
    built, result = b"", []
    for field in layer.fields_desc:
        before = _bits(built)
        built = field.addfield(layer, built, layer.getfieldval(field.name))
        result.append((field, before, _bits(built)))
    return result


def _bits(built):
    return len(built) * 8 if isinstance(built, bytes) else len(built[0]) * 8 + built[1]


def field_spans(packet):
    """A Span for every layer and every field of packet (fields that take no bytes are left out)."""
    spans, start = [], 0
    for index, layer in enumerate(layers(dissected(packet))):
        size = len(layer.self_build())  # the header's own bytes, as they were on the wire
        name = type(layer).__name__
        spans.append(Span(index, name, "", start, start + size, start, f"{size} bytes"))
        for field, first, end in field_positions(layer):
            if end > first:
                value = field.i2repr(layer, layer.getfieldval(field.name))
                bits = (first, end) if first % 8 or end % 8 else None
                spans.append(Span(index, name, field.name, start + first // 8, start + (end + 7) // 8, start,
                                  value, bits))
        start += size
    return spans


def byte_range(packet, layer, field=""):
    """(start, end) of a layer's header, or of one of its fields, in the packet's bytes: e.g. ("IP", "src")."""
    name = layer if isinstance(layer, str) else layer.__name__
    for span in field_spans(packet):
        if span.layer == name and span.field == field:
            return span.start, span.end
    raise KeyError(f"{packet.summary()} has no {name}{'.' + field if field else ''}")


TCP_FLAG_BITS = "CEUAPRSF"  # the eight TCP flag bits, most significant first: CWR ECE URG ACK PSH RST SYN FIN


def named_flags(flags):
    """TCP flags as named bits, e.g. 'SYN ACK (bits CWR 0 ECE 0 URG 0 ACK 1 PSH 0 RST 0 SYN 1 FIN 0)'."""
    on = str(flags)
    names = flag_names(on) or "none"
    bits = " ".join(f"{FLAG_NAMES[f]} {int(f in on)}" for f in TCP_FLAG_BITS)
    return f"{names} (bits {bits})"


def first_sequence_numbers(packets):
    """{(address, port): the sequence number of that side's SYN}, to count sequence numbers from 0 as the diagram does."""
    return {(p.payload.src, p[TCP].sport): p[TCP].seq for p in packets
            if TCP in p and "S" in str(p[TCP].flags) and hasattr(p.payload, "src")}


def hex_html(data, start=0, end=0, layer_spans=(), width=16):
    """The bytes as a hex dump in HTML, bytes [start, end) highlighted, each layer faintly tinted."""
    tint = {}
    for i, span in enumerate(layer_spans):
        tint.update((b, TINTS[i % len(TINTS)]) for b in range(span.start, span.end))
    lines = []
    for row in range(0, len(data), width):
        cells, text = [], []
        for b in range(row, min(row + width, len(data))):
            lit = start <= b < end
            style = "background:#ffd33d;font-weight:bold" if lit else f"background:{tint.get(b, 'white')}"
            cells.append(f"<span style='{style}'>{data[b]:02x}</span>")
            char = chr(data[b]) if 32 <= data[b] < 127 else "."
            text.append(f"<span style='{style}'>{html.escape(char)}</span>")
        pad = "   " * (width - len(cells))
        lines.append(f"<span style='color:#888'>{row:04x}</span>  {' '.join(cells)}{pad}  {''.join(text)}")
    return "<pre class='dis-hex' style='font-size:12px;line-height:1.35'>" + "\n".join(lines) + "</pre>"


class PacketInspector(w.VBox):
    """Pick a packet from the list, then a layer or a field: its bytes light up in the hex dump."""

    def __init__(self, capture, index=0):
        self.packets = list(getattr(capture, "packets", capture))
        label = badge(capture) if hasattr(capture, "live") else "<b>packets built in this notebook</b>"
        self.list = w.Select(options=[(f"{i + 1:>2}  {p.summary()}", i) for i, p in enumerate(self.packets)],
                             rows=min(10, max(2, len(self.packets))), layout=w.Layout(width="100%"))
        self.tree = w.Accordion(layout=w.Layout(width="100%"))
        self.where = w.HTML()
        self.bytes = w.HTML()
        self.spans, self.highlight, self._busy, self.chosen = [], (0, 0), False, None
        self.first_seq = first_sequence_numbers(self.packets)
        self.list.observe(lambda change: self.show(change["new"]), "value")
        self.tree.observe(lambda change: self._pick_layer(change["new"]), "selected_index")
        super().__init__([w.HTML(label), self.list, w.HBox([self.tree], layout=w.Layout(width="100%")),
                          self.where, self.bytes])
        self.add_class("dis-inspector")
        if self.packets:
            self.list.value = index
            self.show(index)  # the Select may already have had this value, so no change event came

    def show(self, index):
        """Show packet number index (from 0): its layers as a tree and its bytes."""
        if index is None:
            return
        self.packet = self.packets[index]
        self.data = raw(self.packet)
        self.spans = field_spans(self.packet)
        self._busy = True
        old, children, titles = self.tree.children, [], []
        for span in [s for s in self.spans if not s.field]:
            fields = [s for s in self.spans if s.layer_index == span.layer_index and s.field]
            pick = w.Select(options=[(f"{s.field} = {s.value}", s.field) for s in fields], value=None,
                            rows=min(len(fields), 14) or 1, layout=w.Layout(width="95%"))
            pick.observe(lambda change, i=span.layer_index: self._pick_field(i, change["new"]), "value")
            children.append(pick)
            titles.append(f"{span.layer}  ·  bytes {span.start}-{span.end - 1}  ({span.end - span.start} bytes)")
        self.tree.children, self.tree.titles, self.tree.selected_index = children, titles, None
        for widget in old:
            widget.close()
        self._busy = False
        self.reopen(*(self.chosen or (self.spans[0].layer if self.spans else "", "")))

    def reopen(self, layer, field=""):
        """Open the same layer and field as on the packet shown before, where this packet has them."""
        names = [s.layer for s in self.spans if not s.field]
        if layer not in names:
            self.select(self.spans[0].layer if self.spans else "")
            return
        has_field = any(s.layer == layer and s.field == field for s in self.spans)
        self._busy = True
        self.tree.selected_index = names.index(layer)
        if field and has_field:
            self.tree.children[names.index(layer)].value = field
        self._busy = False
        self.select(layer, field if has_field else "")

    def select(self, layer, field=""):
        """Light up a layer's header, or one field, in the hex dump; returns its Span."""
        for span in self.spans:
            if (span.layer == layer or span.layer_index == layer) and span.field == field:
                self.highlight = (span.start, span.end)
                first, last = span.in_layer
                where = f"{span.layer}.{field}" if field else f"the {span.layer} layer"
                self.chosen = (span.layer, field)
                self.where.value = (f"<b>{html.escape(where)}</b> = <code>{html.escape(span.value)}</code>"
                                    f"{html.escape(self.explain(span))}: "
                                    f"bytes {span.start}-{span.end - 1} of the packet "
                                    f"({first}-{last - 1} of the {span.layer} header"
                                    + (f"; the field is bits {span.bits[0] % 8}-{span.bits[1] - span.bits[0] // 8 * 8 - 1}"
                                       f" of those bytes" if span.bits else "") + ")")
                self.bytes.value = hex_html(self.data, span.start, span.end, [s for s in self.spans if not s.field])
                return span
        raise KeyError(f"no {layer}{'.' + field if field else ''} in this packet")

    def explain(self, span):
        """More words for a few fields: TCP flags as named bits, sequence numbers as the diagram counts them."""
        if span.layer != "TCP" or TCP not in self.packet:
            return ""
        tcp, ip = self.packet[TCP], self.packet[TCP].underlayer
        if span.field == "flags":
            return f" = {named_flags(tcp.flags)}"
        sides = {"seq": (getattr(ip, "src", None), tcp.sport), "ack": (getattr(ip, "dst", None), tcp.dport)}
        first = self.first_seq.get(sides.get(span.field))
        if first is None or (span.field == "ack" and "A" not in str(tcp.flags)):
            return ""
        relative = (tcp.getfieldval(span.field) - first) % 2**32
        return f" (absolute, as on the wire; the sequence diagram counts from that side's SYN: {relative})"

    def _pick_layer(self, index):
        if not self._busy and index is not None:
            self.select(index)

    def _pick_field(self, layer_index, field):
        if self._busy or field is None:
            return
        self._busy = True
        for i, pick in enumerate(self.tree.children):  # one field at a time across the layers
            if i != layer_index:
                pick.value = None
        self._busy = False
        self.select(layer_index, field)


def inspect_packets(capture, index=0):
    """A PacketInspector for a Capture (badge LIVE / RECORDED) or a plain list of packets."""
    return PacketInspector(capture, index)
