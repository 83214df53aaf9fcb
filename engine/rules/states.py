"""The state-law table (``states.yaml``): each law's conflicts and mandates become ordinary flag rules.

A law entry names controls and the outcomes that matter. Conflicts raise ``RISK-STATE-CONFLICT:<LAW>`` when a
listed control passes or partly passes (``outcomes`` narrows this). Mandates raise ``INFO-STATE-MANDATE:<LAW>``
and ``RISK-STATE-LAW-VIOLATION:<LAW>`` on the outcomes in ``violated_by`` (default ``[fail]``): a state law can
make a partial answer unlawful too (California bars every detainer hold, so a jail holding only for listed
offences is partial here and still breaks the law). ``violated_when`` narrows the violation to answers the law
actually forbids, where a partial can also come from a lawful practice (an unwritten rule, say).

Because each entry compiles to plain flag rules, durable-rules and the oracle need no state-specific code.

Every researched row has ``researched_on`` and either laws or ``no_law_found: {searched}``. A row not yet searched
says ``researched: false`` instead (no date, no laws, no finding): ``load_states`` keeps it out of the researched
table, so a report for that state says its law was not checked rather than reading "no flags" as "no conflicts".
``not_verified`` lists
claims seen only in secondary sources, which raise no flag. Every law carries a ``quote`` (at most 40 words)
read at its ``quote_source`` citation, and at least one primary citation, so an unverified law cannot load.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import N_, _, language
from engine.rules.compiler import as_of_number
from engine.rules.conditions import All, Any_, Condition, Leaf, Not
from engine.rules.model import Effective, LawEntry, Provision, StateInfo, StateLaw
from engine.rules.parsing import US_STATES, check_keys, effective, str_list, text_field
from engine.rules.parsing import date as parse_date

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import LoadInProgress

LAW_ID_PATTERN = re.compile(r"^[A-Z0-9-]+$")
DIRECTIONS = ("protective", "restrictive", "mixed", "none")
LAW_KINDS = ("protective", "restrictive")
# The fifty states and the District of Columbia: the table must answer for each (territories are optional).
STATES_AND_DC = tuple(code for code in US_STATES if code not in ("PR", "GU", "VI", "AS", "MP"))
# A quote is a pointer a reviewer can check in a minute, not a copy of the law.
MAX_QUOTE_WORDS = 40
# Only a decided shortfall can break a law: a pass complies, and an unanswered control is never a verdict.
VIOLATING_OUTCOMES = ("fail", "partial")
# A law that itself gives a protection (``provides``) raises an information flag, never a violation.
PROVIDES_FLAG = "INFO-STATE-PROVIDES"
ENTRY_KEYS = ("types", "public", "outcomes", "applies_when", "effective", "citations")
MANDATE_KEYS = ("violated_by", "violated_when")
STATE_KEYS = ("direction", "summary", "laws", "no_law_found", "not_verified")
UNRESEARCHED_KEYS = ("summary", "not_verified")
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
NOT_VERIFIED_KEYS = ("claim", "why")
# A state flag's title, one whole sentence per kind of flag (word order differs between languages).
TITLES = {
    "RISK-STATE-CONFLICT": N_("This practice conflicts with {law}"),
    "RISK-STATE-LAW-VIOLATION": N_("This practice falls short of {law}"),
}


def load_states(loader: LoadInProgress) -> tuple[dict[str, StateInfo], dict[str, StateInfo]]:
    """Read ``states.yaml`` (optional), add its flag rules to ``loader.flags`` and return the researched table and
    the rows marked ``researched: false`` (which raise nothing and stay out of the researched table)."""
    path = loader.root / "states.yaml"
    if not path.is_file():
        return {}, {}
    where = loader.rel(path)
    data = loader.read(path) or {}
    if not isinstance(data, dict):
        raise RulesetError(_("{where}: expected a mapping of state code -> state.").format(where=where))
    states, unresearched = {}, {}
    controls = getattr(loader, "controls", None)  # claims may name the steps a reported law may stand in the way of
    for code, spec in data.items():
        w = f"{where}: {code}"
        if code not in US_STATES:
            raise RulesetError(
                _("{where}: {code!r} is not a two-letter state code.{suggestion}").format(
                    where=w, code=code, suggestion=did_you_mean(str(code), US_STATES)
                )
            )
        if isinstance(spec, dict) and "researched" in spec:
            unresearched[code] = _unresearched(code, spec, w, controls)
            continue
        check_keys(spec, w, ("name", "researched_on"), STATE_KEYS)
        researched_on = parse_date(spec["researched_on"], f"{w}.researched_on")
        laws = spec.get("laws") or {}
        if not isinstance(laws, dict):
            raise RulesetError(_("{where}.laws: expected a mapping of law id -> law.").format(where=w))
        no_law_found = _no_law_found(spec.get("no_law_found"), f"{w}.no_law_found")
        if not laws and not no_law_found:
            raise RulesetError(
                _(
                    "{where}: give its laws, or 'no_law_found: {{searched: ...}}' saying "
                    "what was searched; an empty row would read as 'nothing applies' "
                    "without saying that nothing was found."
                ).format(where=w)
            )
        if laws and no_law_found:
            raise RulesetError(_("{where}: a state with laws cannot also say no_law_found; keep one.").format(where=w))
        direction = spec.get("direction", "none" if not laws else None)
        if direction not in DIRECTIONS:
            raise RulesetError(
                _("{where}.direction: {direction!r} is not protective, restrictive, mixed or none.").format(
                    where=w, direction=direction
                )
            )
        details = tuple(
            _state_law(loader, code, str(law_id), law, f"{w}.laws.{law_id}") for law_id, law in laws.items()
        )
        states[code] = StateInfo(
            code,
            text_field(spec, "name", w),
            direction,
            text_field(spec, "summary", w),
            tuple(laws),
            researched_on=researched_on.isoformat() if researched_on else "",
            no_law_found=no_law_found,
            not_verified=_not_verified(spec.get("not_verified"), f"{w}.not_verified", controls),
            law_details=details,
        )
    return states, unresearched


def _unresearched(code: str, spec: dict, where: str, controls: Any = None) -> StateInfo:
    """A row kept only to say the state was not searched: no date, no laws, no finding that nothing exists."""
    check_keys(spec, where, ("name", "researched"), UNRESEARCHED_KEYS)
    if spec["researched"] is not False:
        raise RulesetError(
            _(
                "{where}.researched: only 'researched: false' is accepted, for a state "
                "not yet searched; a researched row gives researched_on instead."
            ).format(where=where)
        )
    return StateInfo(
        code,
        text_field(spec, "name", where),
        "none",
        text_field(spec, "summary", where),
        (),
        not_verified=_not_verified(spec.get("not_verified"), f"{where}.not_verified", controls),
    )


def _no_law_found(value: Any, where: str) -> str:
    if value is None:
        return ""
    check_keys(value, where, ("searched",))
    return " ".join(text_field(value, "searched", where).split())


def _not_verified(value: Any, where: str, controls: Any = None) -> tuple[dict[str, Any], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RulesetError(_("{where}: expected a list of {{claim, why, seen}}.").format(where=where))
    claims = []
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        check_keys(item, w, NOT_VERIFIED_KEYS, ("seen", "short", "controls"))
        claim: dict[str, Any] = {
            "claim": " ".join(text_field(item, "claim", w).split()),
            "why": " ".join(text_field(item, "why", w).split()),
            "seen": ", ".join(str_list(item.get("seen", []), f"{w}.seen")),
        }
        if "short" in item:  # the name a report's state-law note gives the claim (the claim itself by default)
            claim["short"] = " ".join(text_field(item, "short", w).split())
        if "controls" in item:  # the steps a report marks "a reported law may stand in the way"; no flag, no hold
            named = list(str_list(item["controls"], f"{w}.controls"))
            unknown = [c for c in named if controls is not None and c not in controls]
            if unknown or not named:
                raise RulesetError(
                    _("{where}.controls: {controls} is not a list of control ids.").format(
                        where=w, controls=", ".join(unknown) or _("an empty list")
                    )
                    + (did_you_mean(unknown[0], tuple(controls)) if unknown and controls else "")
                )
            claim["controls"] = named
        claims.append(claim)
    return tuple(claims)


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


def _state_law(loader: LoadInProgress, state: str, law_id: str, law: Any, where: str) -> StateLaw:
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
                _add_flag(
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

        _add_flag(
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


def _add_flag(
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
