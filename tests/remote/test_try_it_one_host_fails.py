"""Notebook 13's Try-it "an ad-hoc command that fails on one host only", run as written: db1 fails, web1 does not."""
import re
from pathlib import Path

import nbformat
import pytest

from helpers.remote import Ansible, control_folder, inventory_text, start_hosts

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "13_remote_management.ipynb"


def try_it_line():
    """The prompt's one line of code: ansible.adhoc("all", ...)."""
    text = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown")
    return re.search(r'^\s*(ansible\.adhoc\("all", .*\))$', text, re.M)[1]


@pytest.fixture(scope="module")
def ansible():
    hosts = start_hosts(("web1", "db1"))
    inventory = control_folder() / "test-try-it.ini"
    inventory.write_text(inventory_text(hosts))
    yield Ansible(inventory)
    for host in hosts:
        host.stop()


def test_the_prompt_fails_on_db1_only(ansible):
    table = eval(try_it_line(), {"ansible": ansible})
    assert dict(zip(table.host, table.status)) == {"web1": "changed", "db1": "failed"}, table.to_dict("records")
    assert dict(zip(table.host, table.rc)) == {"web1": 0, "db1": 1}
