"""Pictures for notebook 14: a Dask task graph, the 1-vs-2-workers times, and Hadoop on a cluster.

matplotlib and Dask are imported where they are used, so that the notebook's imports cell stays quick."""
import re


def task_name(key):
    """A key's readable part: ('page_of-19f3...', 2) -> 'page_of 2'."""
    name, index = (key[0], key[1]) if isinstance(key, tuple) else (key, None)
    name = re.sub(r"-[0-9a-f]{32}$", "", str(name)).replace("bag-from-delayed", "from-delayed")
    return name if index is None else f"{name} {index}"


def levels(graph):
    """Each key's level: 0 for a task that needs nothing, else one more than the highest task it needs."""
    import dask.core
    needs = {key: dask.core.get_dependencies(graph, key) & graph.keys() for key in graph}
    level = {}
    while len(level) < len(graph):
        for key in graph:
            if key not in level and all(d in level for d in needs[key]):
                level[key] = 1 + max((level[d] for d in needs[key]), default=-1)
    return level, needs


def draw_graph(collection, ax=None):
    """The task graph of a small Dask collection, drawn from its keys and dependencies: the data at the top."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch
    graph = dict(collection.__dask_graph__())
    level, needs = levels(graph)
    rows, order = {}, {}
    for key in sorted(graph, key=lambda k: (level[k], str(k))):
        rows.setdefault(level[key], []).append(key)
    for depth in sorted(rows):  # each task under the tasks it needs, so few arrows cross
        rows[depth].sort(key=lambda k: sum(order[d] for d in needs[k]) / len(needs[k]) if needs[k] else 0)
        order.update({key: n / len(rows[depth]) for n, key in enumerate(rows[depth])})
    users = {key: [k for k in graph if key in needs[k]] for key in rows[0]}
    rows[0].sort(key=lambda k: min((order[u] for u in users[k]), default=0))  # the data above its first user
    width = max(len(row) for row in rows.values())
    at = {key: ((n + 0.5) * width / len(row), -depth) for depth, row in rows.items() for n, key in enumerate(row)}
    if ax is None:
        _, ax = plt.subplots(figsize=(min(2.6 * width, 14), 0.75 * len(rows) + 0.5))
    for key, deps in needs.items():
        for dep in deps:
            ax.add_patch(FancyArrowPatch(at[dep], at[key], arrowstyle="-|>", mutation_scale=10, color="#888",
                                         shrinkA=9, shrinkB=9))
    for key, (x, y) in at.items():
        ax.text(x, y, task_name(key), ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round", "fc": "#dbe9f6" if needs[key] else "#fde3c8", "ec": "#555"})
    ax.set(xlim=(0, width), ylim=(-len(rows) + 0.5, 0.5), title=f"{len(graph)} tasks; arrows: what each needs")
    ax.axis("off")
    return ax


def plot_speedup(times):
    """Bars of the best time with 1 and 2 workers, the speed-up written above."""
    import matplotlib.pyplot as plt
    _, ax = plt.subplots(figsize=(5, 3))
    ax.bar([f"{n} worker{'s' * (n > 1)}" for n in times], times.values(), color=["#9ab", "#37a"])
    ax.set(ylabel="seconds (best of 3)", title=f"speed-up with 2 workers: {times[1] / times[2]:.2f}x")
    return ax


def box(ax, x, y, w, h, text, color, size=8):
    """A labelled rectangle."""
    from matplotlib.patches import Rectangle
    ax.add_patch(Rectangle((x, y), w, h, fc=color, ec="#444"))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size)


def hadoop_diagram():
    """Hadoop on a cluster: a file cut into HDFS blocks, each kept on 3 nodes; map tasks run where a copy is;
    a failed task is run again on another node that holds the block; reducers gather their keys (the shuffle)."""
    import matplotlib.pyplot as plt
    _, ax = plt.subplots(figsize=(11, 4.6))
    copies = {"B1": (0, 1, 2), "B2": (1, 2, 3), "B3": (2, 3, 0), "B4": (3, 0, 1)}
    colors = {"B1": "#fde3c8", "B2": "#d8f0d2", "B3": "#dbe9f6", "B4": "#f3d7ef"}
    box(ax, 0.2, 3.7, 4.4, 0.5, "logs.txt (in HDFS): cut into 128 MB blocks", "#eee", 9)
    for n, block in enumerate(copies):
        box(ax, 0.2 + 1.1 * n, 3.1, 1.0, 0.45, block, colors[block])
    for node in range(4):
        x = 5.2 + 1.45 * node
        box(ax, x, 1.6, 1.3, 2.6, "", "#fafafa")
        ax.text(x + 0.65, 4.0, f"node {node + 1}", ha="center", fontsize=9, weight="bold")
        held = [b for b, nodes in copies.items() if node in nodes]
        for row, block in enumerate(held):
            box(ax, x + 0.1, 3.3 - 0.45 * row, 1.1, 0.38, f"{block} copy", colors[block], 7)
        mapped = {0: "map B1", 1: "map B2", 2: "map B3", 3: "map B4 ✗"}[node]
        box(ax, x + 0.1, 1.75, 1.1, 0.4, mapped, "#fff3b0" if "✗" not in mapped else "#f4a6a6", 7)
    box(ax, 5.3, 1.25, 1.1, 0.3, "map B4 again", "#fff3b0", 7)  # re-run on node 1, which holds a copy of B4
    ax.annotate("node 4's task failed: it is run again\nwhere another copy of B4 is (node 1)", (5.3, 1.4), (2.0, 0.9),
                fontsize=8, arrowprops={"arrowstyle": "->", "color": "#c33"})
    for n, (x, keys) in enumerate([(6.3, "keys a–m"), (8.6, "keys n–z")]):
        box(ax, x, 0.1, 1.6, 0.45, f"reduce {n + 1}: {keys}", "#cfe8e8")
        for node in range(4):  # the shuffle: every map task sends each reducer its share
            ax.plot([5.85 + 1.45 * node, x + 0.8], [1.6, 0.55], color="#bbb", lw=0.8, zorder=0)
    ax.text(8.0, 0.75, "shuffle: every map output, sorted and sent to the reducer of its key", ha="center", fontsize=8,
            bbox={"fc": "white", "ec": "none"})
    ax.text(0.2, 2.95, "HDFS keeps 3 copies of each block on\ndifferent nodes (a node may die).\n\n"
            "Data locality: the scheduler runs\neach map task on a node that holds\nits block, so the code moves,"
            "\nnot the data.", fontsize=8, va="top")
    ax.set(xlim=(0, 11.2), ylim=(0, 4.4))
    ax.axis("off")
    return ax
