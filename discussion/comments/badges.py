"""The badges a comment carries: what its writer is on the site, and a proved organisation.

Staff say what they are: the post's own author writes as "Skribent", others as "Moderator" or
"Administratör", so a moderator's reply is never mistaken for the author's. An organisation's
badge is shown only for a verified address (or one staff marked by hand).
"""

from __future__ import annotations

from ..models import Comment, Role


def staff_role(comment: Comment) -> str | None:
    """author, moderator or admin for a staff member's comment; None for a reader's."""
    if comment.user_id is None:
        return None
    user = comment.user
    if comment.post is not None and comment.post.author_id == comment.user_id:
        return Role.AUTHOR.value
    return Role(user.role).value if user is not None else Role.AUTHOR.value
