"""Demo data for the embedded default: the five sample posts and a first few reader comments."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from .extensions import db
from .models import Comment, Post
from .services import comments as comment_service
from .services.posts import ImportReport, import_files, post_files

SAMPLE_POSTS = Path(__file__).parent / "data" / "sample-blog" / "posts"

# (post slug, question text or None for the general thread, name, text, index of parent or None)
DEMO_COMMENTS = [
    (
        "strateger-sokes-eller-kontaktnat",
        "Vad tror du?",
        "Karin Lind",
        "Jag tror att de menar att man ska *förstå* nätverk, inte ta med sig sitt eget. "
        "Men formuleringen är olycklig.",
        None,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Vad tror du?",
        "Johan",
        "Håller med Karin. Mitt nätverk är mitt, men erfarenheten av att bygga det är värd pengar.",
        0,
    ),
    (
        "strateger-sokes-eller-kontaktnat",
        "Är det problematiskt eller självklart för den typen av jobb?",
        "Sara P",
        "Självklart, tycker jag. Ingen anställer en pressekreterare utan kontakter heller.",
        None,
    ),
    (
        "kommunal-svarar",
        "Vad tror du, är jag ute och cyklar?",
        "Micke",
        "Lite ute och cyklar kanske. Klout-score har ingen brytt sig om på länge.",
        None,
    ),
]


def load_demo() -> ImportReport:
    """Import the sample posts; add the demo comments once, on an empty database."""
    report = import_files(post_files(SAMPLE_POSTS))
    if db.session.scalar(select(func.count()).select_from(Comment)):
        return report
    posted: list[Comment] = []
    for slug, question_text, name, text, parent_index in DEMO_COMMENTS:
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        question = next(
            q
            for q in post.questions
            if q.text == question_text or (question_text is None and q.is_general)
        )
        parent = posted[parent_index].id if parent_index is not None else None
        comment = comment_service.post_comment(question, name=name, body=text, parent_id=parent)
        db.session.commit()
        posted.append(comment)
    return report
