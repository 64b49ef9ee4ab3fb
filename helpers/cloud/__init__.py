"""Clouds and containers (notebook 15): real cloud SDKs against local endpoints, containers, orchestration.

The SDKs (boto3, google-cloud-storage, azure-storage-blob, docker, kubernetes) are heavy, and
`python -m helpers serve --list` reads this package's catalogue: so each name below is imported
from its module on first use (`from helpers.cloud import s3_client` imports helpers.cloud.sdk then).
"""
import importlib

WHERE = {
    "helpers.cloud.endpoints": ["AZURITE_MISSING", "Azurite", "GcsEmulator", "MotoServer", "azurite", "azurite_path",
                                "gcs_emulator", "moto_server"],
    "helpers.cloud.sdk": ["aws_session", "azure_client", "gcs_client", "s3_client", "sqs_client"],
    "helpers.cloud.work_queue": ["Done", "fill", "share_out"],
    "helpers.cloud.containers": ["cgroups", "limits", "namespace_table", "namespaces", "process_tree", "unshare_demo"],
    "helpers.cloud.layers": ["draw_layers"],
    "helpers.cloud.docker_wire": ["find_daemon", "would_send"],
    "helpers.cloud.k8s": ["ManifestError", "apply", "deployment", "service", "to_dict", "validate"],
    "helpers.cloud.orchestra": ["Supervisor", "plot_timeline", "scenario"],
    "helpers.cloud.live_view": ["orchestra_view"],
}
MODULE = {name: module for module, names in WHERE.items() for name in names}
__all__ = list(MODULE)


def __getattr__(name):
    """Import the module that defines name, the first time it is asked for."""
    if name not in MODULE:
        raise AttributeError(f"module 'helpers.cloud' has no attribute {name!r}")
    return getattr(importlib.import_module(MODULE[name]), name)
