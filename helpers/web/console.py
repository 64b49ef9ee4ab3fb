"""The raw console sized for an HTTP request: every line of it in view, the round trip on a line of its own."""


def roomy(console):
    """Give a raw console as many rows as its text has lines, and put the round trip under the reply; return it."""
    console.text.rows = console.text.value.count("\n") + 1
    for row in console.children:
        if console.reply in getattr(row, "children", ()):
            row.layout.flex_flow = "column"  # beside a wide reply, the timing line was squeezed and cut off
    return console
