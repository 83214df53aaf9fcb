"""Plain helpers for the pages: safe Markdown for user text, words for outcomes, file names.

No Streamlit import here, so the functions are unit-testable on their own.
"""

from __future__ import annotations

import re

import pandas as pd

from engine import N_, OUTCOME_SYMBOLS, OUTCOME_WORDS, Report, _, ngettext

_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")

GAP_OUTCOMES = ("fail", "partial")


def md_escape(text: object) -> str:
    """Make user text literal wherever Streamlit parses Markdown (labels, headers, st.markdown, errors).

    Every ASCII punctuation character is backslash-escaped, and a zero-width space breaks '://', 'www.'
    and '@', because GitHub-flavoured autolinks are found after escapes are resolved.
    """
    value = str(text).replace("\r", " ").replace("\n", " ")
    value = _AUTOLINK.sub(lambda m: m.group(1)[0] + "\u200b" + m.group(1)[1:], value)
    return _MD_PUNCT.sub(r"\\\1", value)


# Advice written for the command line, and what to do instead in the app. Each piece of advice is matched as the
# engine says it in every language of the catalogue (English first, then Spanish), so a Spanish session gets app
# advice too; tests/test_spanish_rest.py runs every engine message that carries such advice through app_words in
# both languages, so a retranslated message that stops matching fails there.
_CLI_HINTS = (
    (
        (r"\s*Run 'sanctuary questions'[^.]*\.", r"\s*Ejecute 'sanctuary questions'[^.]*\."),
        N_(
            " Answers files saved from this app's Self-assessment page always "
            "load; the Rules page lists every question and the answers it accepts."
        ),
    ),
    (
        (r"\(see 'sanctuary template'\)", r"\(vea 'sanctuary template'\)"),
        N_("(download the blank survey template on the Batch page)"),
    ),
    (
        (r"start from 'sanctuary template'", r"empiece con 'sanctuary template'"),
        N_("start from the blank survey template on the Batch page"),
    ),
    ((r"'sanctuary [^']*'",), N_("the blank survey template on the Batch page")),
)
_CLI_PATTERNS = tuple((re.compile("|".join(f"(?:{p})" for p in patterns)), instead) for patterns, instead in _CLI_HINTS)


def app_words(message: object) -> str:
    """An engine message with its command-line advice replaced by what to do in the app (still plain text)."""
    text = str(message)
    for pattern, instead in _CLI_PATTERNS:
        text = pattern.sub(_(instead).replace("\\", "\\\\"), text)
    return text


def literal_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe for ``st.table``, which renders every cell and header as Markdown.

    Text cells are escaped with ``md_escape`` (a survey cell holding an image link would otherwise be
    fetched by the browser); numbers are left as they are. Headers are the app's own words, never user text.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: v if v is None or isinstance(v, int | float) else md_escape(v))
    return out


def open_questions(report: Report) -> tuple[int, int]:
    """(not answered, waiting for counsel): one count, the engine's, for the Review and Results pages.

    The engine lists every question the rules could not use as ``unanswered_questions``; an answer of
    "don't know - ask counsel" is among them and also in ``ask_counsel``.
    """
    unanswered = set(report.get("unanswered_questions") or [])
    counsel = {item.get("question") for item in report.get("ask_counsel") or []} & unanswered
    return len(unanswered) - len(counsel), len(counsel)


def open_questions_sentence(report: Report) -> str:
    """'10 questions are still open: 8 not answered yet and 2 waiting for a lawyer's answer.' ('' when none)."""
    blank, counsel = open_questions(report)
    total = blank + counsel
    if not total:
        return ""
    # Whole sentences per case (the count decides the verb's number in both languages).
    if blank and counsel:
        return ngettext(
            "{total} question is still open: {blank} not answered yet and {counsel} waiting for a lawyer's answer.",
            "{total} questions are still open: {blank} not answered yet and {counsel} waiting for a lawyer's answer.",
            total,
        ).format(total=total, blank=blank, counsel=counsel)
    if counsel:
        return ngettext(
            "{total} question is still open, waiting for a lawyer's answer.",
            "{total} questions are still open, waiting for a lawyer's answer.",
            total,
        ).format(total=total)
    return ngettext(
        "{total} question is still open (not answered yet).",
        "{total} questions are still open (not answered yet).",
        total,
    ).format(total=total)


def outcome_label(outcome: str) -> str:
    """'✘ Fail': symbol and word."""
    # The vocabulary's words are marked for translation where they are defined (engine/vocabulary.py).
    return f"{OUTCOME_SYMBOLS.get(outcome, '')} {_(OUTCOME_WORDS.get(outcome, outcome))}".strip()


def slug(name: str, fallback: str = "institution") -> str:
    """A file-name-safe version of an institution name."""
    value = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return value[:60] or fallback
