from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, ValidationError

from ..comments.editing import too_long_message
from ..config import COMMENT_MAX_LENGTH, NAME_MAX_LENGTH
from ..moderation.reports import REPORT_REASONS
from ..text import clean_name, has_visible_character
from ..web.forms import Form


class CommentForm(Form):
    """A reader's answer to a question, or a reply to a comment when parent_id is set."""

    name = StringField(
        _l("Namn"),
        filters=[clean_name],
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
    body = TextAreaField(_l("Kommentar"), validators=[DataRequired(_l("Skriv en kommentar."))])
    parent_id = HiddenField()
    notify = BooleanField(_l("Meddela mig om svar"))

    def validate_name(self, field) -> None:
        """A name must show as something: not only zero-width or blank characters."""
        if field.data and not has_visible_character(field.data):
            raise ValidationError(
                _l("Namnet måste innehålla minst en synlig bokstav, siffra eller symbol.")
            )

    def validate_body(self, field) -> None:
        if field.data and len(field.data) > COMMENT_MAX_LENGTH:
            raise ValidationError(too_long_message())

    def validate_notify(self, field) -> None:
        """Notifications need an address to go to."""
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(_l("Skriv din e-postadress för att få meddelanden om svar."))

    def parent(self) -> int | None:
        value = (self.parent_id.data or "").strip()
        # isdigit() alone also takes "²", which int() refuses.
        return int(value) if value.isascii() and value.isdigit() else None


class ReportForm(Form):
    """A reader's report of a comment (spam, personangrepp or annat); no account needed."""

    reason = StringField(
        _l("Skäl"),
        validators=[AnyOf(list(REPORT_REASONS), message=_l("Välj ett skäl till anmälan."))],
    )
    note = StringField(_l("Kommentar till moderatorn (valfritt)"), validators=[Length(max=500)])
