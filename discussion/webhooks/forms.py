"""The admin's endpoint form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form
from .addresses import URL_MAX_LENGTH
from .endpoints import SECRET_MAX_LENGTH


class EndpointForm(Form):
    url = StringField(
        _l("Adress (URL)"),
        validators=[DataRequired(_l("Ange adressen.")), Length(max=URL_MAX_LENGTH)],
    )
    # One checkbox per event in the template; the service checks the names, with its message.
    events = SelectMultipleField(_l("Händelser"), validate_choice=False)
    secret = StringField(_l("Hemlighet"), validators=[Length(max=SECRET_MAX_LENGTH)])
    active = BooleanField(_l("Aktiv"), default=True)
    slack = BooleanField(_l("Slack-kompatibel (bara ett text-fält)"))
