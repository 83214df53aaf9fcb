"""One law of the state-law table: its checks, its entries as data a report can ask about, and what it compiles to.

A law entry names controls and the outcomes that matter. Conflicts raise ``RISK-STATE-CONFLICT:<LAW>`` when a
listed control passes or partly passes (``outcomes`` narrows this). Mandates raise ``INFO-STATE-MANDATE:<LAW>``
and ``RISK-STATE-LAW-VIOLATION:<LAW>`` on the outcomes in ``violated_by`` (default ``[fail]``): a state law can
make a partial answer unlawful too (California bars every detainer hold, so a jail holding only for listed
offences is partial here and still breaks the law). ``violated_when`` narrows the violation to answers the law
actually forbids, where a partial can also come from a lawful practice (an unwritten rule, say). ``provides``
widens a control's pass condition where the law itself gives the protection.

Every law carries a ``quote`` (at most 40 words) read at its ``quote_source`` citation, and at least one primary
citation, so an unverified law cannot load.

Separate from the table (``engine.rules.states``), which reads the rows around the laws; the flag rules each entry
becomes are built in ``engine.rules.state_flags``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import _
from engine.rules.compiler import as_of_number
from engine.rules.conditions import All, Any_, Condition, Leaf, Not
from engine.rules.model import Effective, LawEntry, Provision, StateLaw
from engine.rules.parsing import check_keys, effective, str_list, text_field
from engine.rules.state_flags import PROVIDES_FLAG, add_flag

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import LoadInProgress

LAW_ID_PATTERN = re.compile(r"^[A-Z0-9-]+$")
LAW_KINDS = ("protective", "restrictive")
# A quote is a pointer a reviewer can check in a minute, not a copy of the law.
MAX_QUOTE_WORDS = 40
# Only a decided shortfall can break a law: a pass complies, and an unanswered control is never a verdict.
VIOLATING_OUTCOMES = ("fail", "partial")
ENTRY_KEYS = ("types", "public", "outcomes", "applies_when", "effective", "citations")
MANDATE_KEYS = ("violated_by", "violated_when")
# exposure and still_lawful are stored as text for the report's "State law stands in the way" section.
LAW_KEYS = (
    "conflicts",
    "mandates",
    "provides",
    "effective",
    "summary",
    "kind",
    "exposure",
    "still_lawful",
    "warn_types",
)


def _law_kind(law: dict, where: str) -> str:
    kind = law.get("kind")
    if kind is None:  # a law that only conflicts restricts; one that only mandates protects
        kind = "restrictive" if law.get("conflicts") and not law.get("mandates") else "protective"
    if kind not in LAW_KINDS:
        raise RulesetError(_("{where}.kind: {kind!r} is not protective or restrictive.").format(where=where, kind=kind))
    return kind


def _quote(loader: LoadInProgress, law: dict, citations: list[str], where: str) -> tuple[str, str]:
    quote = " ".join(text_field(law, "quote", where).split())
    words = len(quote.split())
    # The limit is on what we quote of the source (the English); a translation of it runs longer (Spanish by about
    # a quarter), so a translated quote is held to half as much again.
    limit = MAX_QUOTE_WORDS if loader.lang == "en" else MAX_QUOTE_WORDS * 3 // 2
    if words > limit:
        raise RulesetError(
            _("{where}.quote: {words} words; quote at most {limit} words of the operative text.").format(
                where=where, words=words, limit=limit
            )
        )
    source = text_field(law, "quote_source", where)
    if source not in citations:
        raise RulesetError(
            _(
                "{where}.quote_source: {source!r} is not one of the law's citations; "
                "name the citation whose address the quote was read at."
            ).format(where=where, source=source)
        )
    return quote, source


def state_law(loader: LoadInProgress, state: str, law_id: str, law: Any, where: str) -> StateLaw:
    check_keys(law, where, ("title", "citations", "quote", "quote_source"), LAW_KEYS)
    text_field(law, "title", where)  # text, checked before the flag titles are built from it
    if not LAW_ID_PATTERN.match(law_id):
        raise RulesetError(_("{where}: law ids are upper-case with dashes, like TX-SB4.").format(where=where))
    citations = list(str_list(law["citations"], f"{where}.citations"))
    known = getattr(loader, "citations", {}) or {}
    if known and not any(c in known and known[c].quality == "primary" for c in citations):
        # News and advocacy may add context, but a state-law flag must rest on the law or a court.
        raise RulesetError(
            _(
                "{where}.citations: none is a primary source (the statute, session law, "
                "legislature's digest or a court); leave the law out and list it under "
                "not_verified instead."
            ).format(where=where)
        )
    quote, quote_source = _quote(loader, law, citations, where)
    law_window = effective(law.get("effective"), f"{where}.effective")
    _provides(loader, state, law_id, law, citations, law_window, where)
    kept: list[LawEntry] = []
    for key in ("conflicts", "mandates"):
        entries = law.get(key) or []
        if not isinstance(entries, list):
            raise RulesetError(_("{where}.{key}: expected a list.").format(where=where, key=key))
        for i, entry in enumerate(entries):
            w = f"{where}.{key}[{i}]"
            optional = ENTRY_KEYS + (MANDATE_KEYS if key == "mandates" else ())
            check_keys(entry, w, ("controls", "explanation"), optional)
            window = _intersect(law_window, effective(entry.get("effective"), f"{w}.effective"), w)
            kept.append(_entry(loader, key, entry, window, w))
            entry_citations = citations + [
                c for c in str_list(entry.get("citations", []), f"{w}.citations") if c not in citations
            ]
            if key == "conflicts":
                variants = [("RISK-STATE-CONFLICT", "risk", entry.get("outcomes", ["pass", "partial"]), None)]
            else:
                variants = [
                    (
                        "INFO-STATE-MANDATE",
                        "info",
                        entry.get("outcomes", ["pass", "partial", "fail", "not_answered"]),
                        None,
                    ),
                    ("RISK-STATE-LAW-VIOLATION", "risk", _violated_by(entry, w), entry.get("violated_when")),
                ]
            for prefix, kind, outcomes, extra_answers in variants:
                add_flag(
                    loader,
                    state,
                    law_id,
                    law,
                    entry,
                    i,
                    w,
                    prefix,
                    kind,
                    outcomes,
                    extra_answers,
                    entry_citations,
                    window,
                )
    state_law = StateLaw(
        warn_types=_warn_types(loader, law, where),
        id=law_id,
        state=state,
        title=text_field(law, "title", where),
        kind=_law_kind(law, where),
        effective=law_window,
        citations=tuple(citations),
        quote=quote,
        quote_source=quote_source,
        entries=tuple(kept),
        exposure=" ".join(text_field(law, "exposure", where).split()),
        still_lawful=" ".join(text_field(law, "still_lawful", where).split()),
        summary=" ".join(text_field(law, "summary", where).split()),
    )
    loader.state_laws[law_id] = state_law
    return state_law


def _warn_types(loader: LoadInProgress, law: dict, where: str) -> tuple[str, ...]:
    """The institution types whose draft opens with this law's warning whatever their answers (a Tennessee council:
    any vote to adopt a sanctuary policy is the felony). Only a restrictive law with its exposure can warn."""
    if "warn_types" not in law:
        return ()
    types = str_list(law["warn_types"], f"{where}.warn_types")
    known = tuple(getattr(loader, "types", {}) or ())
    for kind in types:
        if known and kind not in known:
            raise RulesetError(
                _("{where}.warn_types: {kind!r} is not an institution type.{suggestion}").format(
                    where=where, kind=kind, suggestion=did_you_mean(str(kind), known)
                )
            )
    if not types:
        raise RulesetError(
            _("{where}.warn_types: list the institution types to warn, or leave the key out.").format(where=where)
        )
    if _law_kind(law, where) != "restrictive" or not str(law.get("exposure") or "").strip():
        raise RulesetError(
            _(
                "{where}.warn_types: only a restrictive law that says its exposure can open a draft with a warning."
            ).format(where=where)
        )
    return tuple(types)


def _entry(loader: LoadInProgress, key: str, entry: dict, window: Effective, where: str) -> LawEntry:
    """The entry as data the report can ask about (the flags compiled from it answer only for current practice)."""
    institution = {k: v for k, v in (("type", entry.get("types")), ("public", entry.get("public"))) if v is not None}
    default = ["pass", "partial"] if key == "conflicts" else _violated_by(entry, where)
    return LawEntry(
        kind=key,
        controls=str_list(entry["controls"], f"{where}.controls"),
        institution=loader._institution_filter(institution, where, True),
        outcomes=str_list(entry.get("outcomes", default), f"{where}.outcomes"),
        window=window,
        applies_when=loader._answers_condition(entry["applies_when"], f"{where}.applies_when")
        if entry.get("applies_when")
        else None,
        explanation=" ".join(str(entry["explanation"]).split()),
    )


PROVIDES_KEYS = ("types", "public", "unless", "effective", "citations")


def _provides(
    loader: LoadInProgress, state: str, law_id: str, law: dict, citations: list[str], window: Effective, where: str
) -> None:
    """``provides``: the law itself gives the listed controls' protection to the listed types in its state.

    Each entry widens the control's pass condition with "the institution is of these types in this state, on a
    day the law is in force, and ``unless`` (answers showing a contrary practice) is not true", so both backends
    decide it as an ordinary condition. ``unless`` is three-valued like every condition: left blank, the statute
    alone does not decide the pass.
    """
    entries = law.get("provides") or []
    if not isinstance(entries, list):
        raise RulesetError(
            _("{where}.provides: expected a list of {{controls, types, explanation}} entries.").format(where=where)
        )
    for i, entry in enumerate(entries):
        w = f"{where}.provides[{i}]"
        check_keys(entry, w, ("controls", "types", "explanation"), PROVIDES_KEYS)
        types = list(str_list(entry["types"], f"{w}.types"))
        for t in types:
            if t not in loader.types:
                raise RulesetError(
                    _("{where}.types: unknown institution type {t!r}.{suggestion}").format(
                        where=w, t=t, suggestion=did_you_mean(t, loader.types)
                    )
                )
        entry_window = _intersect(window, effective(entry.get("effective"), f"{w}.effective"), w)
        cites = citations + [c for c in str_list(entry.get("citations", []), f"{w}.citations") if c not in citations]
        for cid in cites:
            if cid not in loader.citations:
                raise RulesetError(
                    _("{where}.citations: unknown citation {cid!r}.{suggestion}").format(
                        where=w, cid=cid, suggestion=did_you_mean(cid, loader.citations)
                    )
                )
        parts: list[Condition] = [Leaf("institution", "state", "one_of", (state,))]
        type_leaves = tuple(Leaf("institution", f"t_{t}", "equals", True) for t in types)
        type_test = type_leaves[0] if len(type_leaves) == 1 else Any_(type_leaves)
        if "public" in entry:
            if not isinstance(entry["public"], bool):
                raise RulesetError(_("{where}.public: expected true or false.").format(where=w))
            parts.append(Leaf("institution", "public", "equals", entry["public"]))
        for leaf in effective_leaves(entry_window):
            parts.append(leaf)
        if "unless" in entry:
            parts.append(Not(loader._answers_condition(entry["unless"], f"{w}.unless")))
        for cid in str_list(entry["controls"], f"{w}.controls"):
            control = loader.controls.get(cid)
            if control is None:
                raise RulesetError(
                    _("{where}.controls: unknown control {cid!r}.{suggestion}").format(
                        where=w, cid=cid, suggestion=did_you_mean(cid, loader.controls)
                    )
                )
            if not set(types) & set(control.applies_to):
                raise RulesetError(
                    _(
                        "{where}.controls: {cid} applies to {applies_to}, not to {types}; a law "
                        "can only provide a control's protection to institutions the control "
                        "covers."
                    ).format(where=w, cid=cid, applies_to=", ".join(control.applies_to), types=", ".join(types))
                )
            # The control's own applicability already tests the type when the law covers all its types; the
            # type test is left out then (durable-rules limits how many groups one rule may nest).
            condition = All(tuple(parts if set(control.applies_to) <= set(types) else [*parts, type_test]))
            provision = Provision(
                state, law_id, str(law["title"]), text_field(entry, "explanation", w), tuple(cites), condition
            )
            loader.controls[cid] = replace(
                control,
                pass_condition=Any_((control.pass_condition, condition)),
                provided_by=(*control.provided_by, provision),
            )

        add_flag(
            loader,
            state,
            law_id,
            law,
            entry,
            i,
            w,
            PROVIDES_FLAG,
            "info",
            ["pass", "partial", "fail", "not_answered"],
            None,
            cites,
            entry_window,
        )


def effective_leaves(window: Effective) -> list[Leaf]:
    """The law's in-force window as institution leaves over ``as_of`` (always on the answers fact)."""
    leaves = []
    if window.start:
        leaves.append(Leaf("institution", "as_of", "at_least", as_of_number(window.start)))
    if window.end:
        leaves.append(Leaf("institution", "as_of", "at_most", as_of_number(window.end - dt.timedelta(days=1))))
    return leaves


def _violated_by(entry: dict, where: str) -> list[str]:
    value = entry.get("violated_by", ["fail"])
    if not isinstance(value, list) or not value:
        raise RulesetError(
            _(
                "{where}.violated_by: expected a non-empty list of outcomes, such as "
                "[fail] or [fail, partial]; got {value!r}."
            ).format(where=where, value=value)
        )
    for outcome in value:
        if outcome not in VIOLATING_OUTCOMES:
            raise RulesetError(
                _(
                    "{where}.violated_by: {outcome!r} cannot violate a law; use fail and/or "
                    "partial (a pass complies, and an unanswered control is never a "
                    "verdict).{suggestion}"
                ).format(where=where, outcome=outcome, suggestion=did_you_mean(str(outcome), VIOLATING_OUTCOMES))
            )
    if len(set(value)) != len(value):
        raise RulesetError(_("{where}.violated_by: {value!r} lists an outcome twice.").format(where=where, value=value))
    if "violated_when" in entry and "partial" not in value:
        # The narrowing exists to tell a lawful partial from an unlawful one; without partial it only hides fails.
        raise RulesetError(
            _(
                "{where}.violated_when: only meaningful with 'partial' in violated_by; add it or remove violated_when."
            ).format(where=where)
        )
    return value


def _intersect(law: Effective, entry: Effective, where: str) -> Effective:
    start = max((d for d in (law.start, entry.start) if d), default=None)
    end = min((d for d in (law.end, entry.end) if d), default=None)
    if start and end and end <= start:
        raise RulesetError(
            _("{where}.effective: the entry's dates fall outside the law's own effective window.").format(where=where)
        )
    return Effective(start, end)
