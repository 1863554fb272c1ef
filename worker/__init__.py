"""Celery workers and beat: `celery -A worker.app worker` and `celery -A worker.app beat`."""
