"""Kubernetes manifests from the official client's models, validated offline; a bad one names its field."""
import copy

import pytest

from helpers.cloud import ManifestError, apply, deployment, service, to_dict, validate
from helpers.cloud.k8s import kubeconfig


def test_the_built_manifests_validate_and_serialize_as_kubectl_sends_them():
    made = to_dict(deployment("hello", replicas=3))
    assert made["apiVersion"] == "apps/v1" and made["spec"]["template"]["spec"]["containers"][0]["image"]
    assert "containerPort" in made["spec"]["template"]["spec"]["containers"][0]["ports"][0]  # camelCase names
    assert type(validate(made)).__name__ == "V1Deployment"
    assert type(validate(to_dict(service("hello")))).__name__ == "V1Service"
    assert validate(made).spec.replicas == 3


def containers(m):
    return m["spec"]["template"]["spec"]["containers"]


BROKEN = {
    "spec.template.spec.containers[0].imagee": lambda m: containers(m)[0].update(imagee="x"),
    "spec.replicas: must be int": lambda m: m["spec"].update(replicas="three"),
    "spec.selector: required": lambda m: m["spec"].pop("selector"),
    "spec.template.spec.containers[0].name: required": lambda m: containers(m)[0].pop("name"),
    "spec.template.spec.containers: must be a list": lambda m: m["spec"]["template"]["spec"].update(containers={}),
    "metadata.name": lambda m: m["metadata"].update(name="Hello_World"),
    "spec.selector.matchLabels": lambda m: m["spec"]["selector"]["matchLabels"].update(app="other"),
    "apiVersion/kind": lambda m: m.update(kind="Deploymnt"),
}


@pytest.mark.parametrize("named", sorted(BROKEN))
def test_an_invalid_deployment_is_one_error_naming_its_field(named):
    manifest = copy.deepcopy(to_dict(deployment("hello")))
    BROKEN[named](manifest)
    with pytest.raises(ManifestError) as caught:
        validate(manifest)
    assert str(caught.value).startswith(named) and "\n" not in str(caught.value)


def test_a_service_port_must_be_a_number_but_target_port_may_be_a_name():
    ok = to_dict(service("hello"))
    ok["spec"]["ports"][0]["targetPort"] = "http"  # int-or-string in the schema
    validate(ok)
    ok["spec"]["ports"][0]["port"] = True  # a bool is not an int here
    with pytest.raises(ManifestError, match=r"^spec\.ports\[0\]\.port: must be int"):
        validate(ok)


def test_without_a_kubeconfig_apply_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    assert kubeconfig() is None
    line = apply([to_dict(deployment())])
    assert line.startswith("no cluster") and "\n" not in line


def test_with_a_kubeconfig_whose_cluster_is_down_apply_fails_in_one_line(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text("apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: k, cluster: {server: "
                      "'http://127.0.0.1:9'}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n"
                      "users: [{name: u, user: {}}]\n")
    monkeypatch.setenv("KUBECONFIG", str(config))
    line = apply([to_dict(deployment())], timeout=2)
    assert line.startswith("the cluster did not take them") and "\n" not in line
