"""The base of every form: Flask-WTF's, with WTForms' own messages loaded once per language.

Flask-WTF reads WTForms' message catalogue from disk on every request that builds a form (about
0.4 ms each time); the catalogues never change while the process runs, so each language's is read
once.
"""

from __future__ import annotations

import functools

from babel import support
from flask import has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@functools.cache
def _catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages ("Invalid email address." ...) in the request's language."""

    def gettext(self, string: str) -> str:
        if not has_request_context():
            return string
        return _catalogue(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if not has_request_context():
            return singular if n == 1 else plural
        return _catalogue(str(get_locale())).ungettext(singular, plural, n)


MESSAGES = _WTFormsMessages()


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return MESSAGES


class ConfirmForm(Form):
    """A button with nothing to fill in: only the CSRF token is checked."""
