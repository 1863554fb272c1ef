from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from ..web.forms import Form


class DataRequestForm(Form):
    """The address a reader wants to see or erase the data of."""

    email = EmailField(
        _l("Din e-postadress"),
        validators=[
            DataRequired(_l("Skriv din e-postadress.")),
            Length(max=254, message=_l("E-postadressen är för lång.")),
            Email(_l("Det ser inte ut som en e-postadress."), check_deliverability=False),
        ],
    )
