"""The one error the chain engine raises for input a person (or the calling service) can fix."""

from __future__ import annotations


class ChainModelError(ValueError):
    """The chain template or its figures are inconsistent; the message names the link, edge or row.

    A ValueError rather than a `clusterbrain.errors.DomainError` so the engine stays importable
    on its own; services translate it into a field error where the link is named.
    """
