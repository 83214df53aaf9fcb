"""A state law's entry as an ordinary flag rule: its id, title, trigger and in-force window, added to the load.

Because each entry compiles to plain flag rules, durable-rules and the oracle need no state-specific code.

Separate from reading the law (``engine.rules.state_laws``): this module only words and registers the flag rules
that conflicts, mandates and provisions become, through the loader's own flag checks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from engine.errors import RulesetError
from engine.i18n import N_, _, language
from engine.rules.model import Effective

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import LoadInProgress

# A law that itself gives a protection (``provides``) raises an information flag, never a violation.
PROVIDES_FLAG = "INFO-STATE-PROVIDES"
# A state flag's title, one whole sentence per kind of flag (word order differs between languages).
TITLES = {
    "RISK-STATE-CONFLICT": N_("This practice conflicts with {law}"),
    "RISK-STATE-LAW-VIOLATION": N_("This practice falls short of {law}"),
}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _title(prefix: str, law_title: str, lang: str) -> str:
    """What the flag says is true: a conflict or a shortfall of the practice the institution has; a mandate is a
    duty the law sets, whether or not the institution meets it. Said in the rules' language (``lang``), which is
    the language of ``law_title``, whatever language the code around the load speaks."""
    with language(lang):
        if prefix == PROVIDES_FLAG:
            return _("State law itself gives this protection: {law}").format(law=law_title)
        if prefix == "INFO-STATE-MANDATE":
            return _("{law} requires this protection").format(law=f"{law_title[:1].upper()}{law_title[1:]}")
        return _(TITLES[prefix]).format(law=law_title)


def add_flag(
    loader: LoadInProgress,
    state: str,
    law_id: str,
    law: dict,
    entry: dict,
    index: int,
    where: str,
    prefix: str,
    kind: str,
    outcomes: list[str],
    extra_answers: Any,
    citations: list[str],
    window: Effective,
) -> None:
    flag_id = f"{prefix}:{law_id}"
    rule = f"{flag_id}#{index}" if index else flag_id
    institution: dict[str, Any] = {"state": [state]}
    if "types" in entry:
        institution["type"] = entry["types"]
    if "public" in entry:
        institution["public"] = entry["public"]
    parts = [c for c in (entry.get("applies_when"), extra_answers) if c is not None]
    when: dict[str, Any] = {"finding": {"control": entry["controls"], "outcome": outcomes}, "institution": institution}
    if parts:
        when["answers"] = parts[0] if len(parts) == 1 else {"all": parts}
    effective = {k: v for k, v in (("from", _iso(window.start)), ("until", _iso(window.end))) if v}
    flag = loader._flag(
        {
            "id": flag_id,
            "kind": kind,
            "title": _title(prefix, law["title"], loader.lang),
            "explanation": entry["explanation"],
            "citations": citations,
            "when": when,
            **({"effective": effective} if effective else {}),
        },
        where,
        rule=f"{loader.rel(loader.root / 'states.yaml')}: {rule}",
    )
    if rule in loader.flags:
        raise RulesetError(_("{where}: state flag rule {rule} is defined twice.").format(where=where, rule=rule))
    loader.flags[rule] = dataclasses.replace(flag, skip_at_most=prefix == "RISK-STATE-CONFLICT")
