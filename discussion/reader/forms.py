from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..config import COMMENT_MAX_LENGTH, NAME_MAX_LENGTH


class CommentForm(FlaskForm):
    """A reader's answer to a question, or a reply to a comment when parent_id is set."""

    name = StringField(
        _l("Namn"),
        validators=[
            DataRequired(_l("Skriv ditt namn.")),
            Length(max=NAME_MAX_LENGTH, message=_l("Namnet får vara högst %(max)d tecken.")),
        ],
    )
    email = EmailField(
        _l("E-post (valfritt, visas inte)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("E-postadressen är för lång.")),
            Email(_l("Det ser inte ut som en e-postadress."), check_deliverability=False),
        ],
    )
    body = TextAreaField(
        _l("Kommentar"),
        validators=[
            DataRequired(_l("Skriv en kommentar.")),
            Length(
                max=COMMENT_MAX_LENGTH,
                message=_l("Kommentaren får vara högst %(max)d tecken."),
            ),
        ],
    )
    parent_id = HiddenField()

    def parent(self) -> int | None:
        value = (self.parent_id.data or "").strip()
        return int(value) if value.isdigit() else None
