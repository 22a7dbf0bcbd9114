"""Free text from a form or the API, refused when too long instead of cut.

A service that stored `text[:500]` lost the end of what a user wrote without a word; these
helpers strip the text and name the field when it is longer than the column allows, the message
the API's schema errors use ("Enter at most N characters.")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clusterbrain.errors import FieldError, InvalidInput


def _message(limit: int) -> str:
    return _("Enter at most %(limit)s characters.") % {"limit": limit}


def bounded(
    errors: list[FieldError], loc: str | tuple[str | int, ...], value: Any, limit: int
) -> str:
    """The stripped text; a FieldError for `loc` is added to `errors` when it is too long."""
    text = str(value if value is not None else "").strip()
    if len(text) > limit:
        errors.append(FieldError(loc if isinstance(loc, tuple) else (loc,), _message(limit)))
    return text


def within(field: str, value: Any, limit: int) -> str:
    """The stripped text, or InvalidInput naming `field` when it is too long."""
    text = str(value if value is not None else "").strip()
    if len(text) > limit:
        raise InvalidInput.field(field, _message(limit))
    return text
