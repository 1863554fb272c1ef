"""The verbs of Samtal. Views, CLI commands and Celery tasks all call these, so rules live once."""
