"""Message catalogs: Simplified Chinese by default, English as the source language.

Source strings are English and wrapped in ``_()`` (templates) or ``N_()`` (marks a string
for extraction without translating it, e.g. error messages). Translations live in
``seci/locale/<locale>/LC_MESSAGES/messages.po`` and are read with Babel at first use.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from importlib import resources
from typing import Any

from babel.messages.pofile import read_po

LOCALES: dict[str, str] = {"zh_CN": "简体中文", "en": "English"}
SOURCE_LOCALE = "en"

_current: ContextVar[str] = ContextVar("seci_locale", default="zh_CN")


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for the catalog; it is translated where it is shown."""
    return message


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    value = value.replace("-", "_")
    for locale in LOCALES:
        if value.lower() == locale.lower() or value.lower().split("_")[0] == locale.lower()[:2]:
            return locale
    return None


@lru_cache
def catalog(locale: str) -> dict[str, str]:
    """msgid → msgstr for a locale (empty for the source language)."""
    if locale == SOURCE_LOCALE:
        return {}
    path = resources.files("seci") / "locale" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=locale)
    return {
        str(m.id): str(m.string)
        for m in parsed
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else "zh_CN")


def get_locale() -> str:
    return _current.get()


def gettext(message: str, /, **params: Any) -> str:
    translated = catalog(get_locale()).get(message, message)
    if params:
        try:
            return translated.format(**params)
        except (KeyError, IndexError, ValueError):
            return message.format(**params)
    return translated


def ngettext(singular: str, plural: str, n: int, /, **params: Any) -> str:
    # Chinese has one form; English picks by n.
    chosen = singular if n == 1 else plural
    return gettext(chosen, n=n, **params)


_ = gettext
