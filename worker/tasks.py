"""Thin Celery tasks: each re-reads its rows and calls a domain function, so running twice is
harmless. Their names are the constants of `discussion.jobs`, shared with the code that sends
them."""

from celery import shared_task

from discussion import jobs
from discussion.comments import processing
from discussion.mail import notifications, outbox
from discussion.privacy import retention
from discussion.spam import store
from discussion.webhooks import delivery as webhooks


@shared_task(
    name=jobs.PROCESS_COMMENT, acks_late=True, max_retries=5, soft_time_limit=60, time_limit=90
)
def process_comment(comment_id: int) -> bool:
    return processing.process_comment(comment_id)


@shared_task(name=jobs.SWEEP, soft_time_limit=60, time_limit=90)
def sweep() -> int:
    """Re-send work lost to a broker outage: comments, announcements, e-mails and webhooks."""
    return (
        len(processing.sweep_unprocessed())
        + len(notifications.sweep_unannounced())
        + len(outbox.sweep_unsent())
        + len(webhooks.sweep_unsent())
    )


@shared_task(name=jobs.COMMENT_PUBLISHED, acks_late=True, soft_time_limit=30, time_limit=60)
def comment_published(comment_id: int) -> int:
    return notifications.comment_published(comment_id)


@shared_task(name=jobs.SEND_EMAIL, bind=True, acks_late=True, soft_time_limit=60, time_limit=90)
def send_email(self, outgoing_id: int) -> None:
    """Send one queued e-mail; transient failures come back after the back-off's wait.

    The row counts the attempts and gives up when the back-off (SAMTAL_EMAIL_RETRY_FOR_SECONDS)
    is spent. In-process (eager) runs do not wait: the sweep sends the e-mail again.
    """
    _retry_later(self, outbox.deliver(outgoing_id), outbox.max_retries())


@shared_task(
    name=jobs.DELIVER_WEBHOOK, bind=True, acks_late=True, soft_time_limit=60, time_limit=90
)
def deliver_webhook(self, delivery_id: int) -> None:
    """POST one webhook delivery; timeouts, 5xx and 429 come back after the back-off's wait.

    The row counts the attempts and gives up after SAMTAL_WEBHOOKS_MAX_ATTEMPTS or
    SAMTAL_WEBHOOKS_RETRY_FOR_SECONDS. In-process (eager) runs do not wait: the sweep retries.
    """
    _retry_later(self, webhooks.deliver(delivery_id), webhooks.max_retries())


def _retry_later(task, wait: float | None, max_retries: int) -> None:
    """Run the task again after `wait` seconds, unless the row is settled or we run in-process."""
    if wait is not None and not task.request.is_eager:
        raise task.retry(countdown=wait, max_retries=max_retries)


@shared_task(name=jobs.MODERATOR_DIGESTS, soft_time_limit=60, time_limit=90)
def send_moderator_digests() -> int:
    return notifications.send_moderator_digests()


@shared_task(name=jobs.RETRAIN_SPAM_MODEL, soft_time_limit=600, time_limit=900)
def retrain_spam_model() -> str:
    """Learn from the moderators' decisions; every worker picks the new model up from its file."""
    return store.retrain().version


@shared_task(name=jobs.CLEAR_IP_HASHES, soft_time_limit=300, time_limit=600)
def clear_ip_hashes() -> int:
    """Forget IP hashes older than SAMTAL_IP_RETENTION_DAYS."""
    return retention.clear_old_ip_hashes()
