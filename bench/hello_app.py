"""A bare Flask app answering "hello": the ceiling for any Flask app under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"


@app.get("/healthz")
def healthz() -> str:
    return "ok"
