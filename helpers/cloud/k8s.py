"""Kubernetes manifests built with the official client's models, checked offline, applied where a cluster is.

The kubernetes package's models are generated from the API's OpenAPI schema: each knows its fields, their
JSON names and types, and refuses a missing required field. `validate` walks a manifest (a dict, as from
YAML) through them, so an unknown field, a wrong type or a missing required field is named by its path.
It also checks two rules the API server adds: the name's form (a Service's is an RFC 1035 label, a Namespace's
a DNS-1123 label, most other kinds' a DNS-1123 subdomain), and a Deployment's selector matches its pod template's
labels. It cannot check what only a cluster knows (quotas, admission policies).
"""
import os
import re
from pathlib import Path

from kubernetes import client

API = client.ApiClient()
LABEL_1123 = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
NAMES = {  # kind: (pattern, longest, what it is called and allows); None: every other kind
    "Service": (r"[a-z]([-a-z0-9]*[a-z0-9])?", 63,
                "an RFC 1035 label (a-z, 0-9, '-'; starting with a letter, ending with a letter or digit)"),
    "Namespace": (LABEL_1123, 63, "a DNS-1123 label (a-z, 0-9, '-'; starting and ending with a letter or digit)"),
    None: (rf"{LABEL_1123}(\.{LABEL_1123})*", 253,
           "a DNS-1123 subdomain (a-z, 0-9, '-', '.'; each part between dots starts and ends with a letter or digit)"),
}
PRIMITIVES = {"str": str, "int": int, "bool": bool, "float": (int, float), "datetime": str, "date": str}


class ManifestError(ValueError):
    """A manifest that Kubernetes would refuse; str(error) names the field."""


def deployment(name="hello", image="python:3.12-slim", replicas=3, port=8000):
    """A Deployment: `replicas` copies of one container serving HTTP on port."""
    labels = {"app": name}
    container = client.V1Container(name=name, image=image, ports=[client.V1ContainerPort(container_port=port)],
                                   command=["python", "-m", "http.server", str(port)])
    template = client.V1PodTemplateSpec(metadata=client.V1ObjectMeta(labels=labels),
                                        spec=client.V1PodSpec(containers=[container]))
    spec = client.V1DeploymentSpec(replicas=replicas, selector=client.V1LabelSelector(match_labels=labels),
                                   template=template)
    return client.V1Deployment(api_version="apps/v1", kind="Deployment", metadata=client.V1ObjectMeta(name=name),
                               spec=spec)


def service(name="hello", port=80, target=8000):
    """A Service: one stable address that spreads connections over the Deployment's pods (load balancing)."""
    spec = client.V1ServiceSpec(selector={"app": name},
                                ports=[client.V1ServicePort(port=port, target_port=target, protocol="TCP")])
    return client.V1Service(api_version="v1", kind="Service", metadata=client.V1ObjectMeta(name=name), spec=spec)


def to_dict(model):
    """A model as the JSON-ready dict kubectl would send (camelCase names, no empty fields)."""
    return API.sanitize_for_serialization(model)


def model_class(manifest):
    """The client's model for a manifest's apiVersion and kind, e.g. apps/v1 Deployment -> V1Deployment."""
    version = str(manifest.get("apiVersion", "")).split("/")[-1]
    cls = getattr(client, f"{version.capitalize()}{manifest.get('kind', '')}", None)
    if cls is None or not hasattr(cls, "openapi_types"):
        raise ManifestError(f"apiVersion/kind: no {manifest.get('kind')!r} in {manifest.get('apiVersion')!r}")
    return cls


def check(kind, value, path):
    """Check value against a model type string ('str', 'list[V1Container]', 'dict[str, str]', 'V1PodSpec')."""
    if kind == "object":  # int-or-string fields such as targetPort
        return value
    if kind.startswith("list["):
        if not isinstance(value, list):
            raise ManifestError(f"{path}: must be a list, not {type(value).__name__}")
        return [check(kind[5:-1], item, f"{path}[{n}]") for n, item in enumerate(value)]
    if kind.startswith(("dict(", "dict[")):
        if not isinstance(value, dict):
            raise ManifestError(f"{path}: must be a mapping, not {type(value).__name__}")
        inner = kind[5:-1].split(", ", 1)[1]
        return {k: check(inner, v, f"{path}.{k}") for k, v in value.items()}
    if kind in PRIMITIVES:
        if not isinstance(value, PRIMITIVES[kind]) or (kind == "int" and isinstance(value, bool)):
            raise ManifestError(f"{path}: must be {kind}, not {type(value).__name__} {value!r}")
        return value
    return build(getattr(client, kind), value, path)


def build(cls, data, path):
    """A model from a dict, naming the path of the first unknown field, wrong type or missing required field."""
    if not isinstance(data, dict):
        raise ManifestError(f"{path}: must be a mapping, not {type(data).__name__}")
    python_name = {json: py for py, json in cls.attribute_map.items()}
    values = {}
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        if key not in python_name:
            raise ManifestError(f"{where}: unknown field (a {cls.__name__[2:]} has no {key!r})")
        values[python_name[key]] = check(cls.openapi_types[python_name[key]], value, where)
    try:
        return cls(**values)
    except ValueError as error:  # the model's own check: "Invalid value for `selector`, must not be `None`"
        field = re.search(r"`(\w+)`", str(error))
        name = cls.attribute_map.get(field.group(1), field.group(1)) if field else "?"
        raise ManifestError(f"{path + '.' if path else ''}{name}: required field is missing") from None


def check_name(kind, name):
    """Raise ManifestError unless name has the form Kubernetes requires for this kind."""
    pattern, longest, form = NAMES.get(kind, NAMES[None])
    if not isinstance(name, str) or not re.fullmatch(pattern, name) or len(name) > longest:
        raise ManifestError(f"metadata.name: {name!r} is not a valid {kind} name: it must be {form}, "
                            f"at most {longest} characters")


def validate(manifest):
    """Check a manifest offline; return its model, or raise ManifestError naming the field."""
    try:
        model = build(model_class(manifest), manifest, "")
    except ManifestError as error:  # raised again here: the traceback is one frame, not every nested model's
        raise ManifestError(str(error)) from None
    check_name(manifest.get("kind"), (manifest.get("metadata") or {}).get("name", ""))
    if manifest.get("kind") == "Deployment":
        spec = manifest.get("spec") or {}
        wanted = (spec.get("selector") or {}).get("matchLabels") or {}
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if any(labels.get(k) != v for k, v in wanted.items()):
            raise ManifestError("spec.selector.matchLabels: does not match spec.template.metadata.labels")
    return model


def kubeconfig():
    """The kubeconfig file the client would use (KUBECONFIG, else ~/.kube/config), or None."""
    path = Path(os.environ.get("KUBECONFIG", "").split(os.pathsep)[0] or Path.home() / ".kube" / "config")
    return path if path.is_file() else None


def apply(manifests, namespace="default", timeout=5.0):
    """Create the manifests in the cluster of the kubeconfig; one line saying what happened."""
    from kubernetes import config, utils
    if kubeconfig() is None:
        return "no cluster: no kubeconfig (KUBECONFIG or ~/.kube/config), so the manifests were only validated."
    try:
        api = config.new_client_from_config(config_file=str(kubeconfig()))
        for manifest in manifests:
            utils.create_from_dict(api, manifest, namespace=namespace, _request_timeout=timeout)
    except Exception as error:  # a cluster refusing, or not answering, is one line, not a traceback
        return f"the cluster did not take them: {type(error).__name__}: {str(error).splitlines()[0][:200]}"
    return f"created {', '.join(m['kind'] + '/' + m['metadata']['name'] for m in manifests)} in {namespace}"
