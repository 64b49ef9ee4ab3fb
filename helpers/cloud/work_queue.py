"""SQS as a work queue (notebook 07's idea, in the cloud): consumers receive, handle, then delete."""
import threading


def fill(sqs, queue_url, jobs):
    """Send each job as one message, in batches of ten (SQS's limit per call); return how many were sent."""
    for start in range(0, len(jobs), 10):
        entries = [{"Id": str(n), "MessageBody": job} for n, job in enumerate(jobs[start:start + 10])]
        sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
    return len(jobs)


def consume(sqs, queue_url, name, got, wait=1, hide=30):
    """Receive until a long poll of wait s finds nothing; every message is deleted once handled."""
    while True:
        reply = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait,
                                    VisibilityTimeout=hide)  # hidden from the others while this one works
        messages = reply.get("Messages", [])
        if not messages:
            return
        for message in messages:
            got.append((name, message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def share_out(sqs, queue_url, consumers=("consumer 1", "consumer 2"), wait=1):
    """Run the consumers side by side until the queue is empty; {consumer: [jobs it handled]}."""
    got = []
    threads = [threading.Thread(target=consume, args=(sqs, queue_url, name, got, wait), daemon=True)
               for name in consumers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return {name: [body for who, body in got if who == name] for name in consumers}
