"""Plain helpers for the pages: safe Markdown for user text, words for outcomes, file names.

No Streamlit import here, so the functions are unit-testable on their own.
"""

from __future__ import annotations

import re

from engine import OUTCOME_SYMBOLS, OUTCOME_WORDS

_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")

LEVEL_MEANING = {
    "strong": "Your practices keep the institution well out of civil immigration enforcement.",
    "developing": "Some protections are in place, with gaps to close.",
    "weak": "Important protections are missing.",
    "incomplete": "Too many questions are unanswered to judge.",
}
GAP_OUTCOMES = ("fail", "partial")


def md_escape(text: object) -> str:
    """Make user text literal wherever Streamlit parses Markdown (labels, headers, st.markdown, errors).

    Every ASCII punctuation character is backslash-escaped, and a zero-width space breaks '://', 'www.'
    and '@', because GitHub-flavoured autolinks are found after escapes are resolved.
    """
    value = str(text).replace("\r", " ").replace("\n", " ")
    value = _AUTOLINK.sub(lambda m: m.group(1)[0] + "\u200b" + m.group(1)[1:], value)
    return _MD_PUNCT.sub(r"\\\1", value)


def outcome_label(outcome: str) -> str:
    """'✘ Fail': symbol and word."""
    return f"{OUTCOME_SYMBOLS.get(outcome, '')} {OUTCOME_WORDS.get(outcome, outcome)}".strip()


def slug(name: str, fallback: str = "institution") -> str:
    """A file-name-safe version of an institution name."""
    value = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return value[:60] or fallback
