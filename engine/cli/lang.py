"""The --lang option of the commands that print rules texts (questions, template, evaluate, draft, sources, states).

Only the rules texts (questions, controls, flags, clauses, state-law notes) change language; the command's own
words stay English until the code strings are translated (docs/ says so). Answers files and results keep ids,
so they are the same in every language.
"""

from __future__ import annotations

import argparse
import os

from engine.errors import InputError
from engine.rules.bilingual import DEFAULT_LANG, LANGUAGES, check_lang

LANG_ENV = "SANCTUARY_LANG"


def add_lang_option(parser: argparse.ArgumentParser) -> None:
    """Give a command ``--lang en|es`` (default: $SANCTUARY_LANG, else English)."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=f"language of the rules texts: en (English) or es (Spanish); default ${LANG_ENV}, else {DEFAULT_LANG}",
    )


def chosen_lang(args: argparse.Namespace) -> str:
    """The language a command asked for: --lang, else $SANCTUARY_LANG, else English (commands without --lang)."""
    if not hasattr(args, "lang"):
        return DEFAULT_LANG
    if args.lang:
        return args.lang
    return check_lang(os.environ.get(LANG_ENV) or None, lambda message: InputError(f"${LANG_ENV}: {message}"))
