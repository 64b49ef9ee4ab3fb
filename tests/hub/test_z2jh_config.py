"""deploy/z2jh/config.yaml passes the Zero to JupyterHub chart's own schema, and its limits come from the budget.

Helm validates the chart's defaults with the given values merged over them; the tests do the same with the
chart's values.yaml and values.schema.json kept in deploy/z2jh (SOURCE.md says where they come from).
"""
import copy
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
Z2JH = ROOT / "deploy" / "z2jh"
SCHEMA = json.loads((Z2JH / "values.schema.json").read_text())
DEFAULTS = yaml.safe_load((Z2JH / "chart-values.yaml").read_text())
CONFIG = yaml.safe_load((Z2JH / "config.yaml").read_text())
BUDGET = json.loads((ROOT / "benchmarks" / "budget.json").read_text())
SERVER_MB = 250  # the learner's own Jupyter server after a session of Run Alls (docs/instructors.md)
UNITS = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}  # JupyterHub's ByteSpecification counts in 1024s


def merged(defaults, values):
    """Values over defaults as Helm merges them: maps key by key, anything else replaced, null removes."""
    out = dict(defaults)
    for key, value in values.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def errors(values):
    """The schema's complaints about values merged over the chart's defaults, as 'path: message' lines."""
    validator = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(merged(DEFAULTS, values))]


def mib(size):
    """A JupyterHub byte size such as '1.5G' or 1073741824, in MiB."""
    if isinstance(size, (int, float)):
        return size / 2**20
    number, unit = re.fullmatch(r"([\d.]+)([KMGT])", size).groups()
    return float(number) * UNITS[unit] / 2**20


def test_the_schema_is_a_valid_draft_7_schema_and_the_defaults_pass_it():
    """The kept schema is well formed, and the chart's own defaults pass it (so the merge is right)."""
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert errors({}) == []


def test_the_config_passes_the_charts_schema():
    """config.yaml merged over the chart's defaults passes values.schema.json, as helm install checks."""
    assert errors(CONFIG) == []


def test_the_schema_refuses_unknown_keys_almost_everywhere():
    """additionalProperties: false closes the top level and the sections the config sets."""
    sections = [SCHEMA, SCHEMA["properties"]["hub"], SCHEMA["properties"]["cull"]]
    singleuser = SCHEMA["properties"]["singleuser"]
    sections += [singleuser] + [singleuser["properties"][k] for k in ("memory", "cpu", "image", "lifecycleHooks")]
    assert all(s["additionalProperties"] is False for s in sections)


@pytest.mark.parametrize("path, value", [
    (("singleuser", "memory", "limits"), "1.5G"),  # misspelled key
    (("singleusers", "defaultUrl"), "/lab"),  # misspelled section
    (("singleuser", "cpu", "limit"), "1"),  # a string where the chart wants a number
    (("cull", "timeout"), "1h"),  # a duration where the chart wants seconds
    (("singleuser", "image", "tag"), 1),  # a number where the chart wants a string
])
def test_a_broken_config_is_caught(path, value):
    """A misspelled key or a wrong type in a copy of the config makes the schema complain at that place."""
    broken = copy.deepcopy(CONFIG)
    node = broken
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    found = errors(broken)
    assert found, f"the schema let {'.'.join(path)} = {value!r} through"
    where = [".".join(path)] + [f"{'.'.join(path[:i])}: Additional properties are not allowed ('{path[i]}'"
                                for i in range(len(path))]
    assert any(line.startswith(tuple(where)) for line in found), found


def test_memory_holds_the_heaviest_notebook_and_the_server():
    """Guarantee and limit are at least the heaviest notebook's peak plus the learner's Jupyter server."""
    heaviest = max(n["peak_mb"] for n in BUDGET.values())
    memory = CONFIG["singleuser"]["memory"]
    assert mib(memory["guarantee"]) >= heaviest + SERVER_MB
    assert mib(memory["limit"]) >= mib(memory["guarantee"])


def test_cpu_limit_lets_every_notebook_run_at_its_measured_pace():
    """Within the CPU limit every notebook gets the CPU seconds it used in its measured wall time."""
    cpu = CONFIG["singleuser"]["cpu"]
    slow = {name: n for name, n in BUDGET.items() if n["cpu_s"] > cpu["limit"] * n["wall_s"]}
    assert not slow, f"these need more than {cpu['limit']} CPU to keep their pace: {sorted(slow)}"
    assert 0 < cpu["guarantee"] <= cpu["limit"]


def test_idle_servers_and_kernels_are_culled():
    """The hub culls servers idle for an hour, and each server culls kernels idle for 20 minutes."""
    cull = CONFIG["cull"]
    assert cull["enabled"] is True and cull["timeout"] == 3600 and cull["every"] == 300
    server_config = CONFIG["singleuser"]["extraFiles"]["jupyter-server-config"]
    assert server_config["mountPath"].endswith("/jupyter_server_config.json")
    kernels = server_config["data"]["MappingKernelManager"]
    assert kernels == {"cull_idle_timeout": 1200, "cull_interval": 120, "cull_connected": False}


def test_learners_get_the_course_image_and_the_course_pulled():
    """The repo2docker image with a pinned tag, JupyterLab, and nbgitpuller cloning the course at start."""
    singleuser = CONFIG["singleuser"]
    assert singleuser["image"]["name"] == "ghcr.io/data-in-space/data-in-space"
    assert singleuser["image"]["tag"] != "latest"
    assert singleuser["cmd"] == "jupyterhub-singleuser" and singleuser["defaultUrl"] == "/lab"
    hook = " ".join(singleuser["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert "gitpuller https://github.com/data-in-space/data-in-space main data-in-space" in hook


def test_nbgrader_uses_ngshare_and_the_course_id():
    """The nbgrader config every pod gets compiles, names the course, and points at the ngshare service."""
    text = CONFIG["singleuser"]["extraFiles"]["nbgrader-config"]["stringData"]
    compile(text, "nbgrader_config.py", "exec")
    assert 'c.CourseDirectory.course_id = "data-in-space"' in text
    service = CONFIG["hub"]["services"]["ngshare"]
    assert f'configureExchange(c, "{service["url"]}/services/ngshare")' in text
    assert "apiToken" not in service and "api_token" not in service, "the token is passed with --set, never committed"


def test_a_real_authenticator_with_the_instructor_as_admin():
    """Learners log in through a real authenticator (never Dummy), and the instructor is the admin."""
    hub = CONFIG["hub"]["config"]
    assert "dummy" not in hub["JupyterHub"]["authenticator_class"].lower()
    assert hub["Authenticator"]["admin_users"] == ["instructor"]
    assert hub["Authenticator"]["allowed_users"]
