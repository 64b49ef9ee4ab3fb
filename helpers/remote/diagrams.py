"""Notebook 13's picture: Salt pushes jobs over ZeroMQ to agents; Ansible reaches agentless hosts over SSH."""
from helpers.queues.diagrams import BLUE, GREEN, GREY, ITEMS, ORANGE, arrow, box, panel

HOSTS = ("web1", "web2", "db1")
ROWS = (2.6, 1.5, 0.4)


def draw_models(hosts=HOSTS):
    """Two panels: Salt's master and minions (PUB job out, PUSH returns back) and Ansible's control node and SSH."""
    import matplotlib.pyplot as plt  # imported here: only this picture needs matplotlib

    fig, (salt, ansible) = plt.subplots(1, 2, figsize=(11, 4.2))
    plt.close(fig)  # the notebook shows the returned figure once
    panel(salt, "Salt: push over ZeroMQ (agents)",
           "minions connect OUT to the master and stay connected;\na job reaches every matched minion at once")
    box(salt, 0.6, 1.5, "master", BLUE, h=1.4)
    for y, name, colour in zip(ROWS, hosts, ITEMS):
        box(salt, 3.4, y, f"{name}\nminion", GREEN, h=0.7)
        arrow(salt, (1.4, 1.6 + (y - 1.5) * 0.25), (2.6, y + 0.12), [colour], "PUB job" if y == ROWS[0] else "")
        arrow(salt, (2.6, y - 0.12), (1.4, 1.4 + (y - 1.5) * 0.25), [], colour=GREY)
    salt.text(1.75, 0.45, "PUSH return", ha="center", fontsize=8, color="#888")
    panel(ansible, "Ansible: agentless over SSH",
           "the control node connects IN to each host's sshd, copies a\n"
           "module, runs it with python, reads JSON, deletes it")
    box(ansible, 0.6, 1.5, "control\nnode", ORANGE, h=1.4)
    for y, name in zip(ROWS, hosts):
        box(ansible, 3.4, y, f"{name}\nsshd + python", GREEN, h=0.7)
        label = "ssh, one host per fork" if y == ROWS[0] else ""
        arrow(ansible, (1.4, 1.5 + (y - 1.5) * 0.25), (2.6, y), [ITEMS[0]], label)
    fig.tight_layout()
    return fig
