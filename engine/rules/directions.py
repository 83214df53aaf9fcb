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

NONE = "none"
NUMBER_DIRECTIONS = ("higher", "lower")
FORMS = {
    "boolean": "true or false (the more protective answer)",
    "choice": "a list of tiers such as [[best_id], [next_id, tied_id], [worst_id]]",
    "number": "higher or lower",
}


def _hint(qtype: str) -> str:
    return f"For a {qtype} question write {FORMS[qtype]}, or none for context and informational questions."


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
        raise RulesetError(f"{where}: missing required key 'more_protective'. {_hint(qtype)}")
    raw = spec["more_protective"]
    unordered = _unordered(spec.get("unordered"), qtype, choices, f"{where}.unordered")
    if raw == NONE:
        return NONE, unordered
    if aspect == "context":
        raise RulesetError(f"{w}: context questions only decide whether a control applies; write 'none'.")
    if qtype == "boolean":
        if not isinstance(raw, bool):
            raise RulesetError(f"{w}: {raw!r} does not fit a yes/no question. {_hint(qtype)}")
        return raw, unordered
    if qtype == "number":
        if raw not in NUMBER_DIRECTIONS:
            raise RulesetError(f"{w}: {raw!r} is not higher or lower.{did_you_mean(str(raw), NUMBER_DIRECTIONS)}")
        return raw, unordered
    return _tiers(raw, choices, unordered, w), unordered


def _unordered(raw: Any, qtype: str, choices: dict[str, str], where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if qtype != "choice":
        raise RulesetError(f"{where}: only choice questions have unordered answers; remove the key.")
    if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw):
        raise RulesetError(f"{where}: expected a list of choice ids, such as [dont_know_ask_counsel].")
    for cid in raw:
        if cid not in choices:
            raise RulesetError(f"{where}: {cid!r} is not a choice.{did_you_mean(cid, choices)}")
    if len(set(raw)) != len(raw):
        raise RulesetError(f"{where}: a choice id is listed twice.")
    if len(raw) >= len(choices) - 1:
        raise RulesetError(f"{where}: at least two choices must stay ordered; an order of one says nothing.")
    return tuple(raw)


def _tiers(raw: Any, choices: dict[str, str], unordered: tuple[str, ...], where: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(t, list) and t for t in raw):
        raise RulesetError(f"{where}: expected at least two non-empty tiers. {_hint('choice')}")
    seen: dict[str, int] = {}
    for i, tier in enumerate(raw):
        for cid in tier:
            if not isinstance(cid, str):
                raise RulesetError(f"{where}[{i}]: {cid!r} was read as {type(cid).__name__}; quote the choice id.")
            if cid not in choices:
                raise RulesetError(f"{where}[{i}]: {cid!r} is not a choice.{did_you_mean(cid, choices)}")
            if cid in seen or cid in unordered:
                other = "in unordered" if cid in unordered else f"in tier {seen[cid]}"
                raise RulesetError(f"{where}[{i}]: {cid!r} is already listed {other}; list each choice once.")
            seen[cid] = i
    missing = [cid for cid in choices if cid not in seen and cid not in unordered]
    if missing:
        raise RulesetError(
            f"{where}: choice(s) {', '.join(missing)} are in no tier; add them to a tier, or to 'unordered' if "
            f"they say nothing about protection (such as 'don't know')."
        )
    return tuple(tuple(t) for t in raw)
