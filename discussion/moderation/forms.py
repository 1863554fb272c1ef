from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from ..config import COMMENT_MAX_LENGTH
from ..models import ModerationPolicy, Role, is_row_id
from ..web.forms import Form
from .decisions import ACTIONS

REASON_MAX_LENGTH = 500
BAN_DAYS = ("1", "7", "30", "365", "")  # "" means until further notice
QUESTION_ACTIONS = ("save", "up", "down", "hide", "show", "close", "open")


class IdListField(Field):
    """Every value of a repeated form key (ticked checkboxes) as ints; others are dropped."""

    def process_formdata(self, valuelist):
        digits = [value.strip() for value in valuelist]
        numbers = [int(value) for value in digits if value.isascii() and value.isdigit()]
        self.data = [number for number in numbers if is_row_id(number)]

    def _value(self):
        return ""


def one_of(values) -> AnyOf:
    return AnyOf(list(values), message=_l("Okänt val."))


class DecisionForm(Form):
    """One moderator action on one comment; `seen` is the state the page showed."""

    action = StringField(validators=[one_of(ACTIONS)])
    reason = StringField(_l("Motivering (valfritt)"), validators=[Length(max=REASON_MAX_LENGTH)])
    seen = HiddenField()
    next = HiddenField()


class BulkForm(Form):
    """One action on the comments ticked in the list."""

    ids = IdListField(default=[])
    action = StringField(validators=[one_of(ACTIONS)])
    reason = StringField(_l("Motivering (valfritt)"), validators=[Length(max=REASON_MAX_LENGTH)])
    next = HiddenField()


class EditForm(Form):
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Texten får inte vara tom.")),
            Length(max=COMMENT_MAX_LENGTH),
        ],
    )
    reason = StringField(_l("Motivering (valfritt)"), validators=[Length(max=REASON_MAX_LENGTH)])
    next = HiddenField()


class BanForm(Form):
    by_email = BooleanField(_l("E-postadressen"))
    by_ip = BooleanField(_l("IP-adressen"))
    days = StringField(_l("Hur länge"), default="30", validators=[one_of(BAN_DAYS)])
    reason = StringField(_l("Motivering (valfritt)"), validators=[Length(max=REASON_MAX_LENGTH)])
    next = HiddenField()

    def days_or_none(self) -> int | None:
        return int(self.days.data) if self.days.data else None


class PostSettingsForm(Form):
    policy = StringField(validators=[one_of(["", *(policy.value for policy in ModerationPolicy)])])
    closed = BooleanField(_l("Stängt för nya kommentarer"))


class QuestionForm(Form):
    """One question's row: its text, and which button was pressed."""

    text = StringField(_l("Fråga"), validators=[Optional(), Length(max=1000)])
    action = StringField(validators=[one_of(QUESTION_ACTIONS)])


class NewQuestionForm(Form):
    text = StringField(
        _l("Ny fråga"), validators=[DataRequired(_l("Skriv frågan.")), Length(max=1000)]
    )


class AccountForm(Form):
    role = StringField(validators=[one_of(role.value for role in Role)])
    active = BooleanField(_l("Aktivt"))
