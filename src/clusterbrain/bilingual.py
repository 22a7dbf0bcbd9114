"""Fields kept in both languages: `name_zh` / `name_en` and a `name` that follows the request."""

from __future__ import annotations

from django.utils.translation import get_language


def prefers_chinese() -> bool:
    lang = get_language() or "zh-hans"
    return lang.lower().startswith("zh")


def pick(zh: str, en: str) -> str:
    """The text in the active language, falling back to the other one when it is empty."""
    if prefers_chinese():
        return zh or en
    return en or zh


class BilingualName:
    name_zh: str
    name_en: str

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en)
