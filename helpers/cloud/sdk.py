"""The three clouds' real SDKs, pointed at an endpoint with explicit credentials and timeouts on every call.

Nothing here reads the learner's own cloud settings (~/.aws, gcloud's login, Azure's environment): change the
endpoint and the credentials, and the same code talks to the real cloud.
"""
import os

import boto3
import botocore.session
from botocore.config import Config

DUMMY_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # moto accepts any keys
REGION = "us-east-1"
PROJECT = "data-in-space"  # a GCS project name: the emulator takes any
# Azurite's one account and key, published in Azure's documentation for the local emulator (not a secret)
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def aws_session(keys=None, region=REGION):
    """A boto3 session with the keys given (the dummy ones by default) that reads no config or credentials file."""
    core = botocore.session.Session()
    core.set_config_variable("config_file", os.devnull)
    core.set_config_variable("credentials_file", os.devnull)
    return boto3.Session(botocore_session=core, region_name=region, **(keys or DUMMY_KEYS))


def aws_config(timeout=5.0):
    """Timeouts on connecting and reading, one retry at most, presigned URLs with Signature Version 4."""
    return Config(connect_timeout=min(timeout, 2.0), read_timeout=timeout,
                  retries={"max_attempts": 2, "mode": "standard"}, signature_version="s3v4")


def s3_client(endpoint_url, timeout=5.0):
    """An S3 client for the endpoint (None would mean: the real AWS)."""
    return aws_session().client("s3", endpoint_url=endpoint_url, config=aws_config(timeout))


def sqs_client(endpoint_url, timeout=25.0):
    """An SQS client for the endpoint; its read timeout outlasts a long poll (WaitTimeSeconds up to 20)."""
    return aws_session().client("sqs", endpoint_url=endpoint_url, config=aws_config(timeout))


def gcs_client(endpoint_url, project=PROJECT):
    """A google-cloud-storage client for the endpoint, anonymous; pass timeout= to each call."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage
    return storage.Client(project=project, credentials=AnonymousCredentials(),
                          client_options={"api_endpoint": endpoint_url})


def azure_client(endpoint_url, timeout=5.0):
    """An azure-storage-blob client for an Azurite endpoint (…/devstoreaccount1), with Azurite's published key."""
    from azure.storage.blob import BlobServiceClient
    conn = (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
            f"BlobEndpoint={endpoint_url};")
    return BlobServiceClient.from_connection_string(conn, connection_timeout=min(timeout, 2.0), read_timeout=timeout)
