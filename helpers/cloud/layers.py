"""A picture of an image's layers: read-only layers shared by every container, one thin writable layer each."""
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

LAYERS = [("debian:bookworm-slim: the base system's files", "#c7d7ec"), ("python 3.12 installed", "#a9c4e4"),
          ("pip install -r requirements.txt", "#8bb1dc"), ("COPY app.py", "#6d9ed4")]


def draw_layers(containers=2):
    """One image's layers, stacked, under `containers` writable layers; each layer is one Dockerfile step."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for level, (text, colour) in enumerate(LAYERS):
        ax.add_patch(Rectangle((0, level), containers * 3, 0.9, color=colour))
        ax.text(0.15, level + 0.45, f"layer {level + 1} (read-only): {text}", va="center", fontsize=9)
    for n in range(containers):
        ax.add_patch(Rectangle((n * 3 + 0.05, len(LAYERS)), 2.9, 0.9, color="#f2c28b"))
        ax.text(n * 3 + 0.2, len(LAYERS) + 0.45, f"container {n + 1}: writable layer", va="center", fontsize=9)
    ax.set(xlim=(0, containers * 3), ylim=(0, len(LAYERS) + 1), xticks=[], yticks=[],
           title="an image is a stack of layers; containers share them and write only on top")
    for side in ax.spines.values():
        side.set_visible(False)
    return fig
