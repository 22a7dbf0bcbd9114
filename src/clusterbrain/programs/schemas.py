"""The base of issue 7's JSON request bodies (programs, awards, finance, brand, exhibitions).

The NUL middleware reads query strings and forms, not JSON, and PostgreSQL text cannot hold a
NUL: a `"\\u0000"` in a note or a memo reached the INSERT and was a 500 there (and was stored
as sent on SQLite). Every text of a body, in lists and mappings too, is refused at its field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError


def holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set):
        return any(holds_nul(v) for v in value)
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    return False


class StrictIn(Schema):
    """No field the schema does not name; no NUL in any text."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if holds_nul(value):
            raise PydanticCustomError("nul_character", _("Remove the NUL character (\\0)."))
        return value
