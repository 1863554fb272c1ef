from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from ..web.forms import Form


class LoginForm(Form):
    email = EmailField(
        _l("E-post"), validators=[DataRequired(_l("Skriv din e-postadress.")), Length(max=254)]
    )
    password = PasswordField(
        _l("Lösenord"), validators=[DataRequired(_l("Skriv ditt lösenord.")), Length(max=200)]
    )
    next = HiddenField()
