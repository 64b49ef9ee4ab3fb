"""What a container is made of, read from /proc: namespaces, cgroups, the process tree, and unshare."""
import os

from helpers.cloud import (
    cgroups,
    limits,
    namespace_table,
    namespaces,
    process_tree,
    unshare_demo,
)


def test_namespaces_are_read_from_proc():
    mine = namespaces()
    assert {"net", "pid", "mnt", "uts", "user"} <= mine.keys()
    assert mine["net"] == os.readlink("/proc/self/ns/net") and mine["net"].startswith("net:[")
    assert namespace_table().splitlines()[0].split() == ["kind", "this", "kernel", "PID", "1"]


def test_cgroups_and_limits():
    lines = cgroups()
    assert lines and all(line.count(":") >= 2 for line in lines)
    assert set(limits()) == {"memory", "cpu", "processes"}


def test_the_process_tree_ends_with_this_process():
    tree = process_tree().splitlines()
    assert tree[0].split()[0] == "1" or int(tree[0].split()[0]) > 0
    assert any(line.split()[0] == str(os.getpid()) for line in tree)


def test_unshare_shows_a_private_pid_namespace_or_says_why_not_in_one_line():
    out = unshare_demo()
    if "not allowed" in out or "not installed" in out:
        assert out.count("\n") == 0
    else:
        assert "I am uid 0" in out
        pids = [line.split()[0] for line in out.splitlines()[2:] if line.strip()]
        assert pids[0] == "1" and len(pids) <= 3  # the shell is process 1 and sees almost nothing


def test_another_users_process_gives_an_empty_answer_not_an_error(monkeypatch):
    def refuse(path):
        raise PermissionError(13, "Permission denied", path)
    monkeypatch.setattr("helpers.cloud.containers.os.listdir", refuse)
    assert namespaces(1) == {}
