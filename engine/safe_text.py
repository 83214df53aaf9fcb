"""Text that every output can carry: what is refused where it is read, and how it is shown in messages.

A report goes to a terminal, Markdown, HTML, a .docx (XML) and UTF-8 files. Some code points fit none of them:
control characters (terminal escapes, NUL), lone surrogates (not encodable as UTF-8), U+FFFE/U+FFFF and the other
noncharacters (not allowed in XML), bidi overrides (they reorder what a reader sees). They are refused where the
text enters (answers files, survey cells) with one line naming the code point, so no writer meets them later.
"""

from __future__ import annotations

import re
import unicodedata

from engine.i18n import _

# Noncharacters of the supplementary planes: U+1FFFE, U+1FFFF ... U+10FFFE, U+10FFFF.
_PLANE_ENDS = "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17))
UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + _PLANE_ENDS
    + "]"
)
# What a terminal must never receive raw from a message: the same, plus CR (it rewrites the line) and tabs/LF
# inside a one-line message.
_TERMINAL = re.compile(UNSAFE.pattern[:-1] + "\t\n\r]")


def describe(ch: str) -> str:
    """'U+202E (RIGHT-TO-LEFT OVERRIDE)' or 'U+D800 (a lone surrogate)': a code point named for a message."""
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        what = _("a lone surrogate, not text")
    elif (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF:
        what = _("a noncharacter")
    else:
        what = unicodedata.name(ch, _("a control character"))
    return f"U+{code:04X} ({what})"


def unsafe_problem(text: str) -> str | None:
    """Why ``text`` cannot go into every output, or None when it can."""
    bad = UNSAFE.search(text)
    if bad is None:
        return None
    ch = bad.group()
    if unicodedata.category(ch) in ("Cc", "Cf"):  # C0/C1 controls and bidi overrides
        return _("contains the control character {code} (an escape sequence?); remove it.").format(
            code=f"U+{ord(ch):04X}"
        )
    return _("contains {what}, which a report, a terminal or a Word file cannot hold; remove it.").format(
        what=describe(ch)
    )


def for_terminal(message: object) -> str:
    """A one-line message made safe for a terminal: control characters, CR and lone surrogates shown as escapes."""
    return _TERMINAL.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), str(message))


def shown(value: object, limit: int = 80) -> str:
    """A value quoted for a message, cut to ``limit`` characters, with look-alike letters made visible.

    A Cyrillic 'е' in "Yеs" looks like the Latin letter, so a message quoting it would seem to refuse "Yes": a
    value mixing Latin letters with letters of another script names the foreign ones, e.g.
    ``'Yеs' (U+0435 CYRILLIC SMALL LETTER IE)``.
    """
    if not isinstance(value, str):
        return repr(value)[:limit]
    text = value
    quoted = repr(text if len(text) <= limit else text[:limit] + "...")
    if text.isascii() or not any(c.isascii() and c.isalpha() for c in text):
        return quoted
    foreign = []
    for ch in dict.fromkeys(text[:limit]):
        if ch.isalpha() and not ch.isascii() and not _latin(ch):
            foreign.append(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}")
    return f"{quoted} ({', '.join(foreign[:4])})" if foreign else quoted


def _latin(ch: str) -> bool:
    """Accented Latin letters (é, ñ) are ordinary in names and answers; only other scripts' letters are flagged."""
    return unicodedata.name(ch, "").startswith("LATIN")
