"""Clouds: a 5 MB S3 put + get (boto3 and moto), one SQS message there and back, a 5 MB GCS put + get."""
import os
import statistics
import time

from helpers.cloud import gcs_client, gcs_emulator, moto_server, s3_client, sqs_client

DATA = os.urandom(5 * 1024 * 1024)


def median_ms(call, count, warmup=2):
    """The median wall time of call() in ms, after warmup calls."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def run(results):
    """The cloud keys for benchmarks/results.json (medians in ms, all on 127.0.0.1)."""
    out = {}
    with moto_server(name="bench-aws") as aws:
        s3 = s3_client(aws, timeout=30)
        s3.create_bucket(Bucket="bench")
        out["s3_put_get_5mb_ms"] = median_ms(lambda: (s3.put_object(Bucket="bench", Key="k", Body=DATA),
                                                      s3.get_object(Bucket="bench", Key="k")["Body"].read()), 10)
        sqs = sqs_client(aws)
        queue = sqs.create_queue(QueueName="bench")["QueueUrl"]

        def roundtrip():
            sqs.send_message(QueueUrl=queue, MessageBody="ping")
            message = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"][0]
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        out["sqs_roundtrip_ms"] = median_ms(roundtrip, 50)
    with gcs_emulator(name="bench-gcs") as gcs:
        bucket = gcs_client(gcs).create_bucket("bench", timeout=5)
        out["gcs_put_get_ms"] = median_ms(lambda: (bucket.blob("k").upload_from_string(DATA, timeout=30),
                                                   bucket.blob("k").download_as_bytes(timeout=30)), 10)
    return out


if __name__ == "__main__":
    print(run({}))
