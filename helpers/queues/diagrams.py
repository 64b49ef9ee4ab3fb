"""Notebook 07's pictures: fan-out, fan-in and publish-subscribe side by side; the reliable queue's moves."""

BLUE, ORANGE, GREEN, GREY, RED = "#4e79a7", "#f28e2b", "#59a14f", "#bab0ac", "#e15759"
ITEMS = ["#e15759", "#edc948", "#76b7b2"]  # one colour per message


def box(ax, x, y, text, colour, w=1.5, h=0.55):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05", fc=colour, ec="none",
                                zorder=3))
    ax.text(x, y, text, ha="center", va="center", color="white", fontsize=9, weight="bold", zorder=4)


def arrow(ax, start, end, colours=(), text="", colour="#555", curve=0.0):
    """An arrow between two box edges, with the messages on it as coloured dots."""
    ax.annotate("", end, start, arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.4, shrinkA=2, shrinkB=2,
                                                connectionstyle=f"arc3,rad={curve}"))
    (x0, y0), (x1, y1) = start, end
    for n, c in enumerate(colours):  # the messages that travel this arrow, as dots
        f = 0.38 + 0.12 * n
        ax.plot(x0 + f * (x1 - x0), y0 + f * (y1 - y0), "o", color=c, ms=8, mec="white")
    if text:
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.15, text, ha="center", fontsize=8, color=colour)


def panel(ax, title, note):
    ax.set(xlim=(-0.2, 4.2), ylim=(-0.3, 3.3), title=title)
    ax.axis("off")
    ax.text(2, -0.25, note, ha="center", va="top", fontsize=8.5, wrap=True)


def draw_patterns():
    """Fan-out (PUSH), fan-in (PULL) and publish-subscribe, drawn with three messages each."""
    import matplotlib.pyplot as plt  # imported here: only these pictures need matplotlib

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
    plt.close(fig)  # the notebook shows the returned figure once
    rows = [2.6, 1.5, 0.4]
    ax = axes[0]
    panel(ax, "fan-out: PUSH to a pool", "each message goes to ONE worker\n(a queue: RPUSH + BLPOP does the same)")
    box(ax, 0.6, 1.5, "PUSH", BLUE)
    for y, c, n in zip(rows, ITEMS, (1, 2, 3)):
        box(ax, 3.4, y, f"worker {n}", GREEN)
        arrow(ax, (1.4, 1.5), (2.6, y), [c])
    ax = axes[1]
    panel(ax, "fan-in: PULL from many", "every source's messages end up\nin ONE place (a sink, a log)")
    box(ax, 3.4, 1.5, "PULL", BLUE)
    for y, c, n in zip(rows, ITEMS, (1, 2, 3)):
        box(ax, 0.6, y, f"source {n}", ORANGE)
        arrow(ax, (1.4, y), (2.6, 1.5), [c])
    ax = axes[2]
    panel(ax, "publish-subscribe", "EVERY subscriber gets a copy\nof each message it subscribed to")
    box(ax, 0.6, 1.5, "PUB", BLUE)
    for y, n in zip(rows, (1, 2, 3)):
        box(ax, 3.4, y, f"subscriber {n}", GREEN)
        arrow(ax, (1.4, 1.5), (2.6, y), ITEMS)
    fig.tight_layout()
    return fig


def draw_reliable():
    """Left: BLPOP, where a worker that dies loses its item. Right: BLMOVE to a processing list, LREM, recovery."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
    plt.close(fig)
    ax = axes[0]
    panel(ax, "BLPOP: the item lives only in the worker", "the worker dies: the item is gone from everywhere")
    box(ax, 0.6, 1.8, "queue", BLUE)
    box(ax, 3.4, 1.8, "worker ✝", RED)
    arrow(ax, (1.4, 1.8), (2.6, 1.8), [ITEMS[0]], "BLPOP")
    ax.text(3.4, 1.15, "item lost", ha="center", color=RED, fontsize=9)
    ax = axes[1]
    panel(ax, "BLMOVE: the item stays in Redis until done",
           "done: LREM it. The worker died: recovery moves it back to the queue")
    box(ax, 0.6, 2.0, "queue", BLUE)
    box(ax, 3.2, 2.0, "processing:w1", ORANGE, w=1.8)
    box(ax, 3.2, 0.5, "done", GREEN)
    arrow(ax, (1.4, 2.0), (2.25, 2.0), [ITEMS[0]], "BLMOVE")
    arrow(ax, (3.2, 1.67), (3.2, 0.83))
    ax.text(3.3, 1.2, "LREM when\nfinished", fontsize=8, color="#555")
    arrow(ax, (3.0, 2.33), (0.8, 2.33), colour=RED, curve=0.35)
    ax.text(1.9, 3.05, "recover(): the worker's heartbeat lapsed", ha="center", fontsize=8, color=RED)
    fig.tight_layout()
    return fig
