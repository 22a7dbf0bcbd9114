"""Domain errors a user can fix. Services raise them; the API turns them into a 4xx JSON body
(`{"detail": …, "errors": [{"loc": […], "msg": …}]}`), pages into form errors, the CLI into a
message and a non-zero exit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    loc: tuple[str | int, ...]
    msg: str


class DomainError(Exception):
    """Base of the errors a user can fix; never a 500."""

    status_code = 400

    def __init__(self, detail: str, errors: Iterable[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)

    def command_message(self, limit: int | None = None) -> str:
        """The error as the CLI prints it: the detail, then each field's message (the first
        `limit` of them, and how many more)."""
        shown = self.errors if limit is None else self.errors[:limit]
        lines = [self.detail] + [
            f"  {'.'.join(str(p) for p in e.loc)}: {e.msg}" for e in shown if e.msg != self.detail
        ]
        if limit is not None and len(self.errors) > limit:
            lines.append(f"  … and {len(self.errors) - limit} more.")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "detail": self.detail,
            "errors": [{"loc": list(e.loc), "msg": e.msg} for e in self.errors],
        }


class InvalidInput(DomainError):
    """The input breaks a rule; `errors` names each field (or row) and what is wrong."""

    status_code = 422

    @classmethod
    def field(cls, name: str, msg: str) -> InvalidInput:
        return cls(msg, [FieldError((name,), msg)])


class NotFound(DomainError):
    """Absent, or present but not visible to this user (we do not tell which)."""

    status_code = 404


class Forbidden(DomainError):
    status_code = 403
