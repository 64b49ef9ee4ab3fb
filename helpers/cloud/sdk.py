"""The three clouds' real SDKs, pointed at an endpoint with explicit credentials and timeouts on every call.

Nothing here reads the learner's own cloud settings (~/.aws, gcloud's login, Azure's environment): change the
endpoint and the credentials, and the same code talks to the real cloud.
"""
import os

import boto3
import botocore.session
from botocore.config import Config

REGION = "us-east-1"
PROJECT = "data-in-space"  # a GCS project name: the emulator takes any


def aws_session(keys, region=REGION):
    """A boto3 session with the keys given ({"aws_access_key_id": ..., "aws_secret_access_key": ...}) that reads
    no config or credentials file."""
    core = botocore.session.Session()
    core.set_config_variable("config_file", os.devnull)
    core.set_config_variable("credentials_file", os.devnull)
    return boto3.Session(botocore_session=core, region_name=region, **keys)


def aws_config(timeout=5.0):
    """Timeouts on connecting and reading, one retry at most, presigned URLs with Signature Version 4."""
    return Config(connect_timeout=min(timeout, 2.0), read_timeout=timeout,
                  retries={"max_attempts": 2, "mode": "standard"}, signature_version="s3v4")


def s3_client(aws, timeout=5.0):
    """An S3 client for a started moto_server() (its url), signing with the keys made for that start (aws.keys)."""
    return aws_session(aws.keys).client("s3", endpoint_url=aws.url, config=aws_config(timeout))


def sqs_client(aws, timeout=25.0):
    """An SQS client for a started moto_server(); its read timeout outlasts a long poll (WaitTimeSeconds up to 20)."""
    return aws_session(aws.keys).client("sqs", endpoint_url=aws.url, config=aws_config(timeout))


def gcs_client(gcs, project=PROJECT):
    """A google-cloud-storage client for a started gcs_emulator(), sending its start's token as an OAuth bearer
    token (gcs.token); pass timeout= to each call."""
    from google.cloud import storage
    from google.oauth2.credentials import Credentials
    return storage.Client(project=project, credentials=Credentials(gcs.token),
                          client_options={"api_endpoint": gcs.url})


def azure_client(blobs, timeout=5.0):
    """An azure-storage-blob client for a started azurite(), with the account key made for that start."""
    from azure.storage.blob import BlobServiceClient
    return BlobServiceClient.from_connection_string(blobs.connection_string, connection_timeout=min(timeout, 2.0),
                                                    read_timeout=timeout)
