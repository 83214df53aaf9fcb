"""Three-valued conditions as durable-rules expressions, within durable's per-pattern budget.

Conditions are three-valued. For every condition the compiler asks this module for four durable expressions:
certainly true (T), certainly false (F), and their complements (NT = not certainly true, NF),
using the fact that durable never matches a missing field except with ``$nex``.

Separate from compiling a ruleset (``engine.rules.compiler``), which decides which rules a control, flag or
roll-up becomes: this module only turns one condition into expressions and packs conjuncts into patterns,
knowing nothing of controls or stages.
"""

from __future__ import annotations

from typing import Any

from engine.errors import RulesetError
from engine.i18n import _
from engine.rules.conditions import All, Condition, Leaf, Not

TRUE: dict[str, Any] = {"$true": 1}  # sentinels, removed before durable sees them
FALSE: dict[str, Any] = {"$false": 1}


# durable-rules allows 31 expression slots per pattern and every nested $and/$or takes two
# (rete.c, MAX_SEQUENCE_EXPRESSIONS = 32). The wrapping $and with the fact kind takes one pair, so a
# pattern may hold this many composites; longer conjunctions are split across several patterns.
MAX_COMPOSITES_PER_PATTERN = 13


def composites(expr: Any) -> int:
    """How many $and/$or nodes an expression has (each costs two of durable's expression slots)."""
    if isinstance(expr, dict):
        own = 1 if ("$and" in expr or "$or" in expr) else 0
        return own + sum(composites(v) for v in expr.values())
    if isinstance(expr, list):
        return sum(composites(v) for v in expr)
    return 0


def conjuncts(*parts: Any) -> list[Any]:
    """Flatten a conjunction into its top-level parts (FALSE if any part is FALSE; TRUE parts dropped)."""
    joined = all_of(*parts)
    if joined is FALSE:
        return [FALSE]
    if joined is TRUE:
        return []
    return list(joined["$and"]) if "$and" in joined and len(joined) == 1 else [joined]


def pack(parts: list[Any], where: str) -> list[list[Any]]:
    """Group conjuncts into as few patterns as durable's per-pattern budget allows."""
    groups: list[list[Any]] = []
    used = 0
    for part in parts:
        cost = composites(part)
        if cost > MAX_COMPOSITES_PER_PATTERN:
            raise RulesetError(
                _(
                    "{where}: a condition is too deeply nested for durable-rules ({cost} "
                    "any/all groups in one alternative; at most "
                    "{limit}). Split the control."
                ).format(where=where, cost=cost, limit=MAX_COMPOSITES_PER_PATTERN)
            )
        if not groups or used + cost > MAX_COMPOSITES_PER_PATTERN:
            groups.append([])
            used = 0
        groups[-1].append(part)
        used += cost
    return groups


def _combine(key: str, absorbing: Any, neutral: Any, parts: tuple[Any, ...]) -> Any:
    """Join expressions with $and or $or, folding constants and flattening nested joins of the same kind."""
    items: list[Any] = []
    for part in parts:
        if part is absorbing:
            return absorbing
        if part is neutral:
            continue
        items.extend(part[key] if key in part and len(part) == 1 else [part])
    if not items:
        return neutral
    return items[0] if len(items) == 1 else {key: items}


def all_of(*parts: Any) -> Any:
    return _combine("$and", FALSE, TRUE, parts)


def any_of(*parts: Any) -> Any:
    return _combine("$or", TRUE, FALSE, parts)


def _leaf(leaf: Leaf, mode: str) -> Any:
    name, value = leaf.name, leaf.value
    if leaf.op == "answered":
        present, absent = {"$ex": {name: 1}}, {"$nex": {name: 1}}
        t, f = (present, absent) if value else (absent, present)
        return {"T": t, "F": f, "NT": f, "NF": t}[mode]
    if leaf.op == "equals":
        t, f = {name: value}, {"$neq": {name: value}}
    elif leaf.op == "one_of":
        t = any_of(*({name: v} for v in value))
        f = all_of(*({"$neq": {name: v}} for v in value))
    elif leaf.op == "at_least":
        t, f = {"$gte": {name: value}}, {"$lt": {name: value}}
    else:  # at_most
        t, f = {"$lte": {name: value}}, {"$gt": {name: value}}
    if mode == "T":
        return t
    if mode == "F":
        return f
    # Measures (tallies, as_of, type flags) are always present; answers and public/state may be missing.
    missing = FALSE if leaf.subject == "measure" else {"$nex": {name: 1}}
    return any_of(missing, f) if mode == "NT" else any_of(missing, t)


def translate(cond: Condition | None, mode: str) -> Any:
    """The durable expression for ``mode`` (T, F, NT, NF) of a condition; None means 'no condition' (true)."""
    if cond is None:
        return TRUE if mode in ("T", "NF") else FALSE
    if isinstance(cond, Leaf):
        return _leaf(cond, mode)
    if isinstance(cond, Not):
        return translate(cond.child, {"T": "F", "F": "T", "NT": "NF", "NF": "NT"}[mode])
    parts = [translate(child, mode) for child in cond.children]
    conjunctive = (mode in ("T", "NF")) == isinstance(cond, All)
    return all_of(*parts) if conjunctive else any_of(*parts)
