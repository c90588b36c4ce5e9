"""The `seci` command in the reader's language: help, option help, click's own words and
SECI's messages all follow one locale.

The locale is SECI_DEFAULT_LOCALE when it is set, else the shell's (LC_ALL, LC_MESSAGES,
LANG, as every Unix tool reads them), else SECI's default (Simplified Chinese).

Help texts stay where they are written (docstrings and ``help=``); they are translated when
the command runs, by walking click's command tree. ``scripts/i18n-update`` extracts them
with :func:`help_messages`, so the catalog test covers them like any other string.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import typer.core
import typer.rich_utils
from typer._click.core import Context
from typer._click.formatting import HelpFormatter

from seci.core.config import get_settings
from seci.core.i18n import N_, gettext, normalise_locale, set_locale

# Typer's own words. Its rich help keeps them as module constants computed at import time;
# typer.core binds gettext at import. (Its vendored click writes parse errors as f-strings:
# those stay English, under a translated "Error" panel and hint.)
_RICH_CONSTANTS = {
    "DEPRECATED_STRING": N_("(deprecated) "), "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"), "REQUIRED_LONG_STRING": N_("[required]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"), "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"), "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
FRAMEWORK_MESSAGES = (
    *_RICH_CONSTANTS.values(), N_("Usage:"), N_("(dynamic)"), N_("Aborted!"),
    N_("default: {default}"), N_("required"), N_("env var: {var}"),
)
_SOURCE = "_seci_help_source"


def cli_locale() -> str:
    """SECI_DEFAULT_LOCALE if set, else the shell's locale if SECI speaks it, else zh_CN."""
    settings = get_settings()
    if "default_locale" in settings.model_fields_set:
        return normalise_locale(settings.default_locale) or "zh_CN"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").split(".")[0]
        if value and value not in {"C", "POSIX"}:
            return normalise_locale(value) or settings.default_locale
    return normalise_locale(settings.default_locale) or "zh_CN"


def _framework_gettext(message: str) -> str:
    return gettext(message)


_write_usage = HelpFormatter.write_usage


def _localised_usage(self: HelpFormatter, prog: str, args: str = "",
                     prefix: str | None = None) -> None:
    if prefix is None:
        prefix = gettext("Usage:")
        prefix += "" if prefix.endswith("：") else " "
    _write_usage(self, prog, args, prefix)


def _texts(command: Any) -> Iterator[tuple[Any, str]]:
    """(object, attribute) of every help text under ``command`` (a click command)."""
    yield command, "help"
    yield command, "short_help"
    # --help is made on first use and kept apart from the declared parameters.
    help_option = command.get_help_option(Context(command))
    for param in [*command.params, *([help_option] if help_option else [])]:
        if hasattr(param, "help"):
            yield param, "help"
    for sub in getattr(command, "commands", {}).values():
        yield from _texts(sub)


def help_messages(command: Any) -> set[str]:
    """Every help text of the command tree, untranslated (for the catalog)."""
    found = set()
    for owner, attribute in _texts(command):
        text = getattr(owner, _SOURCE + attribute, None) or getattr(owner, attribute, None)
        if text:
            found.add(text.strip())
    return found


def localise(command: Any, locale: str) -> None:
    """Put the whole command tree and Typer's own words into ``locale``."""
    set_locale(locale)
    typer.core._ = _framework_gettext  # type: ignore[attr-defined]
    HelpFormatter.write_usage = _localised_usage  # type: ignore[method-assign]
    for name, english in _RICH_CONSTANTS.items():
        setattr(typer.rich_utils, name, gettext(english))
    for owner, attribute in _texts(command):
        if not hasattr(owner, _SOURCE + attribute):
            setattr(owner, _SOURCE + attribute, getattr(owner, attribute, None))
        text: str | None = getattr(owner, _SOURCE + attribute)
        if text:
            # Typer shows a docstring's own line breaks; the catalog holds it stripped.
            setattr(owner, attribute, gettext(text.strip()))


class LocalisedGroup(typer.core.TyperGroup):
    """The root command: picks the locale before click parses (and maybe prints help)."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: Any = None, **extra: Any) -> Any:
        if parent is None:
            localise(self, cli_locale())
        return super().make_context(info_name, args, parent=parent, **extra)
