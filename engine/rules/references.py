"""What the rules refer to: citations (with the policy on which sources count) and the recommended clauses,
with the institution's name filled into a clause's text."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from engine.i18n import _
from engine.vocabulary import INSTITUTION_PLACEHOLDER

CHECKED_KINDS = ("knowledge_base", "live", "stored_copy")
# What a source is to the sanctuary practices: authority for them, or a law (or a ruling upholding one) that
# forbids them. Contrary law is cited only by state-law notes and flags, never as a control's or clause's source.
CITATION_ROLES = ("supports", "contrary_law")


@dataclass(frozen=True)
class Citation:
    """One source in the citation register.

    ``checked`` says how the source was last checked: ``live`` (someone opened the live page on
    ``checked_on``), ``knowledge_base`` (read from the project's knowledge base, not re-checked) or
    ``stored_copy`` (read in a stored copy of the page on ``checked_on``, not against the live page).
    ``last_verified`` keeps its old meaning, a live check, so it is only set for ``live``.
    """

    id: str
    title: str
    url: str
    publisher: str
    jurisdiction: str
    checked: str
    checked_on: str
    quality: str = "primary"
    publisher_kind: str = "unknown"
    published: str | None = None
    note: str = ""
    role: str = "supports"

    @property
    def last_verified(self) -> str | None:
        """The date of the last live check, or None when the source was never checked live."""
        return self.checked_on if self.checked == "live" else None

    @property
    def checked_text(self) -> str:
        """How the source was checked, in words (reports show this, never a bare date)."""
        if self.checked == "live":
            return _("last verified against the live source on {date}").format(date=self.checked_on)
        if self.checked == "stored_copy":
            return _("read in a stored copy of the page on {date}, not checked against the live page").format(
                date=self.checked_on
            )
        return _("from the project's knowledge base, not re-checked since {date}").format(date=self.checked_on)

    @property
    def state(self) -> str | None:
        """The state whose law or practice the source describes (None for federal sources)."""
        return None if self.jurisdiction == "US" else self.jurisdiction.removeprefix("local:")

    def to_dict(self) -> dict[str, Any]:
        """The citation as it appears in reports (``last_verified`` is null unless checked live)."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "publisher": self.publisher,
            "publisher_kind": self.publisher_kind,
            "jurisdiction": self.jurisdiction,
            "published": self.published,
            "last_verified": self.last_verified,
            "checked": self.checked,
            "checked_on": self.checked_on,
            "checked_text": self.checked_text,
            "quality": self.quality,
            "note": self.note,
            "role": self.role,
        }


@dataclass(frozen=True)
class BannedSource:
    """One class of site the citation register refuses (citation_policy.yaml)."""

    cls: str
    reason: str
    host: re.Pattern[str] | None = None
    path: re.Pattern[str] | None = None

    def matches(self, host: str, path: str) -> bool:
        """True when the address's host (fully) and path (anywhere) match the given patterns."""
        return (self.host is None or bool(self.host.fullmatch(host))) and (
            self.path is None or bool(self.path.search(path))
        )


@dataclass(frozen=True)
class CitationPolicy:
    """Which sources the register accepts and which count as established (citation_policy.yaml)."""

    banned: tuple[BannedSource, ...] = ()
    publisher_kinds: dict[str, str] = field(default_factory=dict)
    established_secondary: tuple[str, ...] = ()
    primary_publishers: tuple[str, ...] = ()
    stale_after_days: int = 365

    def banned_by(self, url: str) -> BannedSource | None:
        """The first banned class the address belongs to, or None."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".").removeprefix("www.")
        return next((b for b in self.banned if b.matches(host, parts.path.lower())), None)

    def is_established(self, citation: Citation) -> bool:
        """Primary, or a secondary source from a named publisher of an established kind."""
        if citation.quality == "primary":
            return True
        return (
            citation.quality == "secondary"
            and citation.publisher_kind in self.established_secondary
            and bool(citation.publisher)
        )


@dataclass(frozen=True)
class Clause:
    """A recommended policy clause (model text with placeholders)."""

    id: str
    title: str
    text: str
    based_on: tuple[str, ...] = ()
    source: str = ""
    # The text split at its placeholders, once: joining the parts is several times cheaper than replacing in
    # a clause of 1-2 KB, and every gap of every report renders one.
    _parts: tuple[str, ...] = field(init=False, repr=False, compare=False)

    _possessive: bool = field(init=False, repr=False, compare=False)  # the text says "{institution}'s"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_parts", tuple(self.text.split("{institution}")))
        object.__setattr__(self, "_possessive", "{institution}'s" in self.text)

    def render(self, institution_name: str | None) -> str:
        """Fill ``{institution}`` with the institution's name (or a bracketed placeholder), possessives done right."""
        name = institution_name or INSTITUTION_PLACEHOLDER
        if self._possessive:
            return fill_institution(self.text, name)
        return name.join(self._parts)


@functools.lru_cache(maxsize=1024)
def possessive(name: str) -> str:
    """'Lincoln Valley Public Schools' -> 'Lincoln Valley Public Schools'', 'Saint Mark' -> 'Saint Mark's'."""
    return name + ("'" if name.rstrip().lower().endswith("s") else "'s")


def fill_institution(template: str, name: str) -> str:
    """A clause template with ``{institution}`` filled in: "{institution}'s" becomes the name's possessive
    ("Schools'", never "Schools's")."""
    return template.replace("{institution}'s", possessive(name)).replace("{institution}", name)
