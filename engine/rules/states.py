"""The state-law table (``states.yaml``): one row per state, researched or not, and the laws each row lists.

Every researched row has ``researched_on`` and either laws or ``no_law_found: {searched}``. A row not yet searched
says ``researched: false`` instead (no date, no laws, no finding): ``load_states`` keeps it out of the researched
table, so a report for that state says its law was not checked rather than reading "no flags" as "no conflicts".
``not_verified`` lists claims seen only in secondary sources, which raise no flag.

Each law of a row is read and compiled in ``engine.rules.state_laws``; this module reads the table and its rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import _
from engine.rules.model import StateInfo
from engine.rules.parsing import US_STATES, check_keys, str_list, text_field
from engine.rules.parsing import date as parse_date
from engine.rules.state_laws import state_law

if TYPE_CHECKING:  # type hints only: the helpers never import the loader
    from engine.rules.source import LoadInProgress

DIRECTIONS = ("protective", "restrictive", "mixed", "none")
# The fifty states and the District of Columbia: the table must answer for each (territories are optional).
STATES_AND_DC = tuple(code for code in US_STATES if code not in ("PR", "GU", "VI", "AS", "MP"))
STATE_KEYS = ("direction", "summary", "laws", "no_law_found", "not_verified")
UNRESEARCHED_KEYS = ("summary", "not_verified")
NOT_VERIFIED_KEYS = ("claim", "why")


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
        details = tuple(state_law(loader, code, str(law_id), law, f"{w}.laws.{law_id}") for law_id, law in laws.items())
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
