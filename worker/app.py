from celery import signals

from discussion import create_app
from discussion.spam import store

flask_app = create_app()
celery = flask_app.extensions["celery"]


@signals.worker_process_init.connect
def _load_the_spam_model(**kwargs) -> None:
    """Each pool process loads (or first trains) the spam model as it starts, so the first
    comment after a start does not wait for it."""
    with flask_app.app_context():
        store.current()
