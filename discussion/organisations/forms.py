from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..models import MAX_ID
from ..web.forms import Form
from .register import BADGE_LIMIT, NAME_LIMIT


class OrganisationForm(Form):
    name = StringField(
        _l("Namn"), validators=[DataRequired(_l("Ange ett namn.")), Length(max=NAME_LIMIT)]
    )
    domains = StringField(
        _l("E-postdomäner (med komma emellan)"),
        validators=[DataRequired(_l("Ange minst en e-postdomän.")), Length(max=1000)],
    )
    badge = StringField(_l("Märke (valfritt, annars namnet)"), validators=[Length(max=BADGE_LIMIT)])
    moderate = BooleanField(_l("Svaren väntar på en moderator"))

    def domain_list(self) -> list[str]:
        return [part for part in self.domains.data.replace(",", " ").split() if part]


class DomainForm(Form):
    domain = StringField(_l("Domän"), validators=[DataRequired(), Length(max=253)])


class ModerateAnswersForm(Form):
    moderate = BooleanField()


class MarkAnswerForm(Form):
    """Mark a comment as an organisation's answer; no organisation takes the badge away."""

    comment_id = IntegerField(
        _l("Kommentarens nummer"), validators=[NumberRange(min=1, max=MAX_ID)]
    )
    organisation_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class InviteForm(Form):
    organisation_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    email = EmailField(
        _l("Kontaktens e-postadress"),
        validators=[
            DataRequired(_l("Ange en e-postadress.")),
            Length(max=254),
            Email(_l("Det ser inte ut som en e-postadress."), check_deliverability=False),
        ],
    )
