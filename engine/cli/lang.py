"""The --lang option: the language of everything a command prints (its help, messages, errors, summary files).

The language is chosen once per run, before the parser is built (``argv_language``), so the help, argparse's own
errors and every message after it come out in that language; rules texts follow it too (``chosen_lang``).
Answers files, results CSVs (ids, English column names) and JSON keys stay the same in every language.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from engine.errors import InputError
from engine.i18n import N_, _, ngettext
from engine.rules.bilingual import DEFAULT_LANG, LANGUAGES, check_lang

LANG_ENV = "SANCTUARY_LANG"

# argparse's own messages (usage, section titles, its errors), as argparse writes them: it looks them up
# through its module's ``_`` and ``ngettext`` at the moment it says them, so pointing those at ours
# (``translate_argparse``) puts them in our catalogue's language. Marked here so extraction finds them.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("the following arguments are required: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unrecognized arguments: %s"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("%(prog)s: error: %(message)s\n"),
)


def translate_argparse() -> None:
    """Make argparse say its own words (``usage:``, ``options``, its errors) in the current language."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def argv_language(argv: Sequence[str]) -> str:
    """The language a command line asks for, read before parsing: ``--lang es``/``--lang=es``, else $SANCTUARY_LANG.

    An unknown value gives English here; the parser then rejects it with its own one-line error.
    """
    chosen: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            chosen = argv[i + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
    chosen = chosen or os.environ.get(LANG_ENV) or DEFAULT_LANG
    return chosen if chosen in LANGUAGES else DEFAULT_LANG


def add_lang_option(parser: argparse.ArgumentParser) -> None:
    """Give a command ``--lang en|es`` (default: $SANCTUARY_LANG, else English)."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=_(
            "language of the output and of the rules texts: en (English) or es (Spanish); "
            "default ${env}, else {default}"
        ).format(env=LANG_ENV, default=DEFAULT_LANG),
    )


def chosen_lang(args: argparse.Namespace) -> str:
    """The language a command asked for: --lang (after the command or before it), else $SANCTUARY_LANG, else English."""
    given = getattr(args, "lang", None) or getattr(args, "top_lang", None)
    if given:
        return given
    return check_lang(
        os.environ.get(LANG_ENV) or None,
        lambda message: InputError(_("${env}: {message}").format(env=LANG_ENV, message=message)),
    )
