"""The local cloud endpoints `python -m helpers serve NAME` can start (each module imported only when made)."""
from helpers.core.catalog import lazy

SERVERS = {
    "aws": (lazy("helpers.cloud.endpoints", "moto_server"), "AWS S3 and SQS (moto's server): give boto3 its URL"),
    "gcs": (lazy("helpers.cloud.endpoints", "gcs_emulator"), "Google Cloud Storage's JSON API (gcp-storage-emulator)"),
    "azurite": (lazy("helpers.cloud.endpoints", "azurite"), "Azure Blob Storage (Azurite; needs `make azurite`)"),
}
