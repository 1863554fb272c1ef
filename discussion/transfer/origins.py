"""Where a post's comments came from: the imports the staff page of a post lists.

Light on purpose: the web process imports it, and it loads none of the file readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Comment, ImportRun

# The systems the formats come from, as staff know them.
SYSTEMS = {
    "wxr": "WordPress",
    "disqus": "Disqus",
    "isso": "Isso",
    "remark42": "Remark42",
    "samtal": "Samtal",
}


@dataclass(frozen=True)
class PostImport:
    system: str
    file_name: str
    imported_at: datetime
    comments: int


def imports_of_post(post_id: int) -> list[PostImport]:
    """Each import that brought comments to this post, oldest first, with how many."""
    rows = db.session.execute(
        select(ImportRun.format, ImportRun.file_name, ImportRun.created_at, func.count(Comment.id))
        .join(Comment, Comment.import_run_id == ImportRun.id)
        .where(Comment.post_id == post_id)
        .group_by(ImportRun.id, ImportRun.format, ImportRun.file_name, ImportRun.created_at)
        .order_by(ImportRun.created_at, ImportRun.id)
    ).all()
    return [
        PostImport(SYSTEMS.get(format_name, format_name), file_name, created_at, count)
        for format_name, file_name, created_at, count in rows
    ]
