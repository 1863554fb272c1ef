"""Thin Celery tasks: each re-reads its rows and calls a service, so running twice is harmless."""

from celery import shared_task

from discussion.services import comments


@shared_task(name="samtal.process_comment", acks_late=True, max_retries=5)
def process_comment(comment_id: int) -> bool:
    return comments.process_comment(comment_id)


@shared_task(name="samtal.sweep")
def sweep() -> int:
    return len(comments.sweep_unprocessed())
