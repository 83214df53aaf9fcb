"""Question direction data: which answer is more protective (``more_protective`` and ``unordered``).

Every question says which way is more protective, so tests can check that a less protective answer
never improves a verdict (the monotonic property, corrections §1). The forms, by question type:

* boolean: ``more_protective: true`` or ``false``;
* choice: ``more_protective: [[most protective ids], [next tier], ...]``, every choice id exactly once
  across the tiers and ``unordered``; ties share a tier;
* number: ``more_protective: higher`` or ``lower``;
* any type: ``more_protective: none`` for context questions (which only decide applicability) and purely
  informational ones. Context questions must say ``none``.

``unordered: [ids]`` (choice questions only) lists answers outside the order, such as "don't know - ask
counsel". They decide nothing: the engine treats them as unanswered, and the report says to ask counsel.
"""

from __future__ import annotations

from typing import Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import N_, _

NONE = "none"
NUMBER_DIRECTIONS = ("higher", "lower")
FORMS = {
    "boolean": N_("true or false (the more protective answer)"),
    "choice": N_("a list of tiers such as [[best_id], [next_id, tied_id], [worst_id]]"),
    "number": N_("higher or lower"),
}


def _hint(qtype: str) -> str:
    return _("For a {qtype} question write {form}, or none for context and informational questions.").format(
        qtype=qtype, form=_(FORMS[qtype])
    )


def parse_direction(
    spec: dict[str, Any], qtype: str, aspect: str, choices: dict[str, str], where: str
) -> tuple[bool | str | tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """Check and normalise a question's ``more_protective`` and ``unordered`` keys.

    Returns:
        (more_protective, unordered): a bool, "higher"/"lower"/"none", or a tuple of tiers; and the
        unordered choice ids.

    Raises:
        RulesetError: naming ``where`` and the key, with what to write instead.
    """
    w = f"{where}.more_protective"
    if "more_protective" not in spec:
        raise RulesetError(
            _("{where}: missing required key 'more_protective'. {hint}").format(where=where, hint=_hint(qtype))
        )
    raw = spec["more_protective"]
    unordered = _unordered(spec.get("unordered"), qtype, choices, f"{where}.unordered")
    if raw == NONE:
        return NONE, unordered
    if aspect == "context":
        raise RulesetError(
            _("{where}: context questions only decide whether a control applies; write 'none'.").format(where=w)
        )
    if qtype == "boolean":
        if not isinstance(raw, bool):
            raise RulesetError(
                _("{where}: {raw!r} does not fit a yes/no question. {hint}").format(where=w, raw=raw, hint=_hint(qtype))
            )
        return raw, unordered
    if qtype == "number":
        if raw not in NUMBER_DIRECTIONS:
            raise RulesetError(
                _("{where}: {raw!r} is not higher or lower.{suggestion}").format(
                    where=w, raw=raw, suggestion=did_you_mean(str(raw), NUMBER_DIRECTIONS)
                )
            )
        return raw, unordered
    return _tiers(raw, choices, unordered, w), unordered


def _unordered(raw: Any, qtype: str, choices: dict[str, str], where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if qtype != "choice":
        raise RulesetError(
            _("{where}: only choice questions have unordered answers; remove the key.").format(where=where)
        )
    if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw):
        raise RulesetError(
            _("{where}: expected a list of choice ids, such as [dont_know_ask_counsel].").format(where=where)
        )
    for cid in raw:
        if cid not in choices:
            raise RulesetError(
                _("{where}: {cid!r} is not a choice.{suggestion}").format(
                    where=where, cid=cid, suggestion=did_you_mean(cid, choices)
                )
            )
    if len(set(raw)) != len(raw):
        raise RulesetError(_("{where}: a choice id is listed twice.").format(where=where))
    if len(raw) >= len(choices) - 1:
        raise RulesetError(
            _("{where}: at least two choices must stay ordered; an order of one says nothing.").format(where=where)
        )
    return tuple(raw)


def _tiers(raw: Any, choices: dict[str, str], unordered: tuple[str, ...], where: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(t, list) and t for t in raw):
        raise RulesetError(
            _("{where}: expected at least two non-empty tiers. {hint}").format(where=where, hint=_hint("choice"))
        )
    seen: dict[str, int] = {}
    for i, tier in enumerate(raw):
        for cid in tier:
            if not isinstance(cid, str):
                raise RulesetError(
                    _("{where}[{i}]: {cid!r} was read as {kind}; quote the choice id.").format(
                        where=where, i=i, cid=cid, kind=type(cid).__name__
                    )
                )
            if cid not in choices:
                raise RulesetError(
                    _("{where}[{i}]: {cid!r} is not a choice.{suggestion}").format(
                        where=where, i=i, cid=cid, suggestion=did_you_mean(cid, choices)
                    )
                )
            if cid in seen or cid in unordered:
                if cid in unordered:
                    problem = _("{where}[{i}]: {cid!r} is already listed in unordered; list each choice once.")
                else:
                    problem = _("{where}[{i}]: {cid!r} is already listed in tier {tier}; list each choice once.")
                raise RulesetError(problem.format(where=where, i=i, cid=cid, tier=seen.get(cid)))
            seen[cid] = i
    missing = [cid for cid in choices if cid not in seen and cid not in unordered]
    if missing:
        raise RulesetError(
            _(
                "{where}: choice(s) {missing} are in no tier; add them to a tier, or to "
                "'unordered' if they say nothing about protection (such as 'don't "
                "know')."
            ).format(where=where, missing=", ".join(missing))
        )
    return tuple(tuple(t) for t in raw)
