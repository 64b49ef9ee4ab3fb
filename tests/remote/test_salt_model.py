"""Salt's push model over ZeroMQ: targets pick minions, the PUB side filters by topic, returns come back by job."""
import threading

import pytest

from helpers.core.errors import ServiceError
from helpers.remote import SaltModel


@pytest.fixture()
def salt(tmp_path):
    folders = {}
    for name in ("web1", "web2", "db1"):
        folders[name] = tmp_path / name
        folders[name].mkdir()
    with SaltModel(folders, name="test-salt") as running:
        yield running


def test_a_glob_target_reaches_only_the_matching_minions(salt):
    table = salt.cmd("web*", "cmd.run", "basename $PWD; exit 3")
    assert sorted(zip(table.minion, table["return"], table.rc)) == [("web1", "web1", 3), ("web2", "web2", 3)]
    assert [topic for topic, _ in salt.published] == ["minion:web1", "minion:web2"]


def test_star_is_published_once_and_every_minion_answers(salt):
    table = salt.cmd("*", "test.ping")
    assert sorted(table.minion) == ["db1", "web1", "web2"] and set(table["return"]) == {"True"}
    assert [topic for topic, _ in salt.published] == ["all"]


def test_unknown_functions_and_empty_targets_answer_plainly(salt):
    assert salt.cmd("db1", "pkg.install", "nginx")["return"][0] == "'pkg.install' is not available."
    assert salt.cmd("mail*", "test.ping").empty


def test_a_minion_that_stopped_is_reported_as_not_returning(salt):
    silent = salt.minions[2]
    silent.stopping.set()
    silent.join(2)
    salt.pull.setsockopt(__import__("zmq").RCVTIMEO, 500)
    table = salt.cmd("*", "test.ping")
    assert list(table[table.minion == "db1"]["return"]) == ["Minion did not return. [No response]"]


def test_stop_ends_every_minion_thread(tmp_path):
    salt = SaltModel({"m1": tmp_path}, name="test-salt-stop").start()
    salt.stop()
    assert not any(t.name.startswith("minion-m1") for t in threading.enumerate())
    with pytest.raises(ServiceError, match="stopped"):
        salt.cmd("*", "test.ping")
