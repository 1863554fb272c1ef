"""Reading what API clients send: text fit to store, and JSON values as a form's fields."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from .errors import ApiError, say


def clean_text(value: object) -> bool:
    """Text we can store anywhere: a str without NUL bytes or lone surrogates."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def form_data(
    data: dict,
    fields: tuple[str, ...],
    *,
    numbers: tuple[str, ...] = ("parent_id",),
    flags: tuple[str, ...] = ("notify",),
) -> MultiDict:
    """JSON values as the fields a browser's form would send, for the reader's own form class.

    A number is taken only for `numbers` (as its digits) and true only for `flags` (a ticked
    box); false and null are left out, like an unticked box or an empty field. Anything else
    that is not text (e.g. `"body": 42`) is refused, as the OpenAPI document says.
    """
    formdata = MultiDict()
    problems = {}
    for name in fields:
        value = data.get(name)
        if value is None or value is False:
            continue
        if value is True and name in flags:
            value = "y"
        elif isinstance(value, int) and not isinstance(value, bool) and name in numbers:
            value = str(value)
        if clean_text(value):
            formdata[name] = value
        else:
            problems[name] = [say("Ska vara text.", "Must be text.")]
    if problems:
        raise ApiError("validation_failed", fields=problems)
    return formdata
