"""SQS as a work queue (notebook 07's idea, in the cloud): consumers receive, handle, then delete."""
import threading


def fill(sqs, queue_url, jobs):
    """Send each job as one message, in batches of ten (SQS's limit per call); return how many were sent."""
    for start in range(0, len(jobs), 10):
        entries = [{"Id": str(n), "MessageBody": job} for n, job in enumerate(jobs[start:start + 10])]
        sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
    return len(jobs)


class Done:
    """The ids of messages already handled, shared by the consumers: SQS delivers at least once, so a message can
    (rarely) reach two of them, and the second must see it was done. A real system keeps this in a shared store
    (Redis, a database row), as 16's idempotency keys do."""

    def __init__(self, ids=()):
        self.ids, self.lock, self.duplicates = set(ids), threading.Lock(), 0

    def first_time(self, message_id):
        """True the first time this id is seen; a later delivery is counted as a duplicate."""
        with self.lock:
            if message_id in self.ids:
                self.duplicates += 1
                return False
            self.ids.add(message_id)
            return True


def consume(sqs, queue_url, name, got, done, wait=1, hide=30):
    """Receive until a long poll of wait s finds nothing; every message is deleted, and handled only once."""
    while True:
        reply = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait,
                                    VisibilityTimeout=hide)  # hidden from the others while this one works
        messages = reply.get("Messages", [])
        if not messages:
            return
        for message in messages:
            if done.first_time(message["MessageId"]):
                got.append((name, message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def share_out(sqs, queue_url, consumers=("consumer 1", "consumer 2"), wait=1, done=None):
    """Run the consumers side by side until the queue is empty; {consumer: [jobs it handled]}. `done` (a Done)
    holds the message ids handled before, and afterwards how many deliveries were duplicates."""
    got, done = [], done if done is not None else Done()
    threads = [threading.Thread(target=consume, args=(sqs, queue_url, name, got, done, wait), daemon=True)
               for name in consumers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return {name: [body for who, body in got if who == name] for name in consumers}
