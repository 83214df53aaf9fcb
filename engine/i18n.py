"""The language of the code's own strings: gettext, with catalogues kept in engine/locale/.

Rules texts (questions, controls, flags, clauses, state law) carry their Spanish beside the English in
rulesets/ and are chosen when the rules are loaded. Everything the code itself says (report headings, CLI
messages, survey errors, the app's labels) goes through the functions below, so a language is chosen once,
for a whole run, with ``language("es")`` (a context variable: each thread, app session and batch worker keeps
its own), and code deep in the report never passes a language around.

Catalogues: ``engine/locale/sanctuary.pot`` (the English message ids, extracted by Babel),
``engine/locale/es/LC_MESSAGES/sanctuary.po`` (the Spanish, edited by people) and ``sanctuary.mo`` beside it
(compiled by Babel and shipped, so an install needs no build step). ``python scripts/i18n_catalogue.py``
re-extracts, updates and compiles; tests/test_i18n_catalogue.py fails when a marked string is missing from
the catalogue, untranslated or fuzzy, when placeholders differ, or when the .mo is older than the .po.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("en", "es")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}  # each in its own language: what a switch shows
DOMAIN = "sanctuary"
LOCALE_DIR = Path(__file__).with_name("locale")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("sanctuary_language", default=DEFAULT_LANGUAGE)


class UnknownLanguageError(ValueError):
    """A language code this tool has no catalogue for."""


def check_language(lang: str) -> str:
    """Return ``lang`` normalised ("ES" -> "es", "es_US" -> "es"), or raise UnknownLanguageError."""
    code = str(lang).strip().replace("-", "_").split("_")[0].lower()
    if code not in LANGUAGES:
        raise UnknownLanguageError(
            _("unknown language {lang}: choose one of {choices}").format(lang=repr(lang), choices=", ".join(LANGUAGES))
        )
    return code


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue for ``lang`` (English is the source language: its ids are the text)."""
    code = check_language(lang)
    if code == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    # fallback=False: a missing .mo is a broken install, not a reason to show English silently.
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[code])


def current_language() -> str:
    """The language of this thread's (or app session's) current run."""
    return _current.get()


def set_language(lang: str) -> contextvars.Token[str]:
    """Switch this context's language; keep the token to ``reset_language`` it."""
    return _current.set(check_language(lang))


def reset_language(token: contextvars.Token[str]) -> None:
    _current.reset(token)


@contextmanager
def language(lang: str) -> Iterator[str]:
    """``with language("es"):`` everything said inside is in Spanish; the previous language comes back after."""
    token = set_language(lang)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


# English is the source language: its message ids are the text, so the functions below return them without a
# catalogue lookup (the report calls them in its inner loops, and English output is most of every batch).


def _(message: str) -> str:
    """Translate ``message`` into the current language. Format after translating: ``_("{n} rows").format(n=n)``."""
    lang = _current.get()
    return message if lang == DEFAULT_LANGUAGE else translations(lang).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language (Spanish and English both have two)."""
    lang = _current.get()
    if lang == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return translations(lang).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate a short ``message`` whose meaning depends on ``context`` (e.g. "fail" as an outcome)."""
    lang = _current.get()
    return message if lang == DEFAULT_LANGUAGE else translations(lang).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for the catalogue without translating it yet (module-level tables); ``_()`` it when shown."""
    return message
