"""Kubernetes's name rules, kind by kind: a Deployment takes a DNS-1123 subdomain, a Service an RFC 1035 label."""
import traceback

import pytest

from helpers.cloud import ManifestError, deployment, service, to_dict, validate


def named(model, name):
    manifest = to_dict(model)
    manifest["metadata"]["name"] = name
    return manifest


@pytest.mark.parametrize("name", ["web", "web.v2", "2web", "api-1.eu.example", "a" * 253])
def test_a_deployment_name_may_be_any_dns_1123_subdomain(name):
    assert validate(named(deployment(), name)).metadata.name == name


@pytest.mark.parametrize("name", ["Web", "web_v2", "-web", "web-", "web..v2", ".web", "", "a" * 254])
def test_a_deployment_name_that_is_no_subdomain_is_refused(name):
    with pytest.raises(ManifestError, match=r"^metadata\.name: .* DNS-1123 subdomain"):
        validate(named(deployment(), name))


@pytest.mark.parametrize("name", ["web", "web-v2", "w2", "a" * 63])
def test_a_service_name_may_be_an_rfc_1035_label(name):
    assert validate(named(service(), name)).metadata.name == name


@pytest.mark.parametrize("name", ["web.v2", "2web", "Web", "web-", "a" * 64])
def test_a_service_name_with_a_dot_or_a_leading_digit_is_refused(name):
    with pytest.raises(ManifestError, match=r"^metadata\.name: .* RFC 1035 label") as caught:
        validate(named(service(), name))
    assert "\n" not in str(caught.value)


def test_an_error_deep_in_a_manifest_comes_with_a_short_traceback():
    broken = to_dict(deployment())
    broken["spec"]["template"]["spec"]["containers"][0]["imagee"] = "python:3.12-slim"
    with pytest.raises(ManifestError) as caught:
        validate(broken)
    assert str(caught.value).startswith("spec.template.spec.containers[0].imagee: unknown field")
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert len(frames) <= 2, [frame.name for frame in frames]  # validate itself, not every nested model
