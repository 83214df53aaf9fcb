"""The condition mini-language of the rules files: parse, evaluate three-valued, explain.

A condition is a tree of ``all`` / ``any`` / ``not`` over leaves that test one value:
``{question: q, equals: v}``, ``one_of``, ``at_least``, ``at_most``, ``answered``. Roll-up
rules use ``measure:`` leaves over a tally instead of ``question:``.

Evaluation is three-valued (Kleene logic): a leaf on a missing value is *unknown* (``None``)
unless it asks ``answered``. The durable-rules compiler translates the same tree into
patterns for "certainly true" and "certainly false"; ``engine.oracle`` evaluates it here in
plain Python. Tests check that the two agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import RulesetError, did_you_mean
from engine.i18n import _
from engine.limits import CONDITION_MAX_DEPTH, CONDITION_MAX_LEAVES

OPERATORS = ("equals", "one_of", "at_least", "at_most", "answered")
SUBJECTS = ("question", "measure", "institution")
# Institution fields a control's answer conditions may test (``{institution: public, equals: false}``); they
# travel on the answers fact under these names, which no question may take (questions.RESERVED_NAMES).
INSTITUTION_FIELDS = ("state", "public")
Truth = bool | None


@dataclass(frozen=True)
class Leaf:
    """A test on one value."""

    subject: str  # "question" or "measure"
    name: str
    op: str
    value: Any

    def references(self) -> Iterator[str]:
        # Institution fields are not questions: nobody answers them, so they are not "read" questions.
        if self.subject != "institution":
            yield self.name

    def leaves(self) -> Iterator[Leaf]:
        yield self

    def evaluate(self, values: Mapping[str, Any]) -> Truth:
        """True, False, or None when the value is missing and the leaf needs it."""
        given = values.get(self.name)
        if self.op == "answered":
            return (given is not None) == bool(self.value)
        if given is None:
            return None
        if self.op == "equals":
            return given == self.value
        if self.op == "one_of":
            return given in self.value
        if self.op == "at_least":
            return given >= self.value
        if self.op == "at_most":
            return given <= self.value
        raise AssertionError(self.op)  # parse() admits only OPERATORS


@dataclass(frozen=True)
class _Group:
    """A list of child conditions (the shared part of ``all`` and ``any``)."""

    children: tuple[Condition, ...]

    def references(self) -> Iterator[str]:
        for child in self.children:
            yield from child.references()

    def leaves(self) -> Iterator[Leaf]:
        for child in self.children:
            yield from child.leaves()

    def _decide(self, values: Mapping[str, Any], decisive: bool) -> Truth:
        """``decisive`` as soon as a child is; else unknown if a child is unknown, else the other value."""
        unknown = False
        for child in self.children:
            result = child.evaluate(values)
            if result is decisive:
                return decisive
            if result is None:
                unknown = True
        return None if unknown else not decisive


@dataclass(frozen=True)
class All(_Group):
    """True when every child is true."""

    def evaluate(self, values: Mapping[str, Any]) -> Truth:
        return self._decide(values, False)  # a false child decides at once


@dataclass(frozen=True)
class Any_(_Group):
    """True when at least one child is true."""

    def evaluate(self, values: Mapping[str, Any]) -> Truth:
        return self._decide(values, True)  # a true child decides at once


@dataclass(frozen=True)
class Not:
    """The negation of its child (unknown stays unknown)."""

    child: Condition

    def references(self) -> Iterator[str]:
        yield from self.child.references()

    def leaves(self) -> Iterator[Leaf]:
        yield from self.child.leaves()

    def evaluate(self, values: Mapping[str, Any]) -> Truth:
        result = self.child.evaluate(values)
        return None if result is None else not result


Condition = Leaf | All | Any_ | Not

# check_value(name, op, value, where) -> normalised value; raises RulesetError when it does not fit.
ValueCheck = Callable[[str, str, Any, str], Any]


def parse(
    data: Any,
    where: str,
    subject: str,
    known: Mapping[str, Any],
    check_value: ValueCheck,
    institution_check: ValueCheck | None = None,
) -> Condition:
    """Parse a condition from YAML data.

    Args:
        data: the YAML value (a mapping).
        where: "<file>: <key path>" for error messages.
        subject: "question" or "measure": which leaf subject is allowed here.
        known: the names a leaf may refer to.
        check_value: validates a literal against the subject's declared type.
        institution_check: when given, ``{institution: state|public, ...}`` leaves are allowed too and
            their literals are checked with it.

    Raises:
        RulesetError: naming the file and key path, with a suggestion where one applies.
    """
    if not isinstance(data, dict) or not data:
        raise RulesetError(
            _("{where}: a condition must be a mapping such as {{{subject}: ..., equals: ...}}.").format(
                where=where, subject=subject
            )
        )
    keys = set(data)
    composite = keys & {"all", "any", "not"}
    if composite:
        if len(keys) != 1:
            raise RulesetError(
                _("{where}: '{composite}' must be the only key of its mapping.").format(
                    where=where, composite=sorted(composite)[0]
                )
            )
        key = composite.pop()
        if key == "not":
            return Not(parse(data["not"], f"{where}.not", subject, known, check_value, institution_check))
        items = data[key]
        if not isinstance(items, list) or not items:
            raise RulesetError(
                _("{where}.{key}: expected a non-empty list of conditions.").format(where=where, key=key)
            )
        children = tuple(
            parse(item, f"{where}.{key}[{i}]", subject, known, check_value, institution_check)
            for i, item in enumerate(items)
        )
        return All(children) if key == "all" else Any_(children)
    if institution_check is not None and "institution" in data and subject not in data:
        subject, known, check_value = "institution", dict.fromkeys(INSTITUTION_FIELDS), institution_check
    if subject not in data:
        other = [s for s in SUBJECTS if s in data]
        hint = (" " + _("'{subject}' is not allowed here.").format(subject=other[0])) if other else ""
        raise RulesetError(
            _("{where}: a leaf needs '{subject}' and one of {operators}; or use all/any/not.{hint}{suggestion}").format(
                where=where,
                subject=subject,
                operators=", ".join(OPERATORS),
                hint=hint,
                suggestion=did_you_mean(sorted(keys)[0], [subject, *OPERATORS, "all", "any", "not"]),
            )
        )
    name = data[subject]
    if not isinstance(name, str) or name not in known:
        raise RulesetError(
            _("{where}.{subject}: unknown {subject} {name!r}.{suggestion}").format(
                where=where, subject=subject, name=name, suggestion=did_you_mean(name, known)
            )
        )
    ops = keys - {subject}
    if len(ops) != 1 or not ops <= set(OPERATORS):
        extra = sorted(ops - set(OPERATORS))
        hint = did_you_mean(extra[0], OPERATORS) if extra else ""
        raise RulesetError(
            _("{where}: a leaf takes exactly one of {operators}; got {value}.{hint}").format(
                where=where, operators=", ".join(OPERATORS), value=sorted(ops) or "none", hint=hint
            )
        )
    op = ops.pop()
    value = check_value(name, op, data[op], f"{where}.{op}")
    return Leaf(subject, name, op, value)


def depth(cond: Condition) -> int:
    """How deeply all/any/not nest (a leaf is 0)."""
    if isinstance(cond, Leaf):
        return 0
    if isinstance(cond, Not):
        return 1 + depth(cond.child)
    return 1 + max(depth(child) for child in cond.children)


def weight(cond: Condition) -> int:
    """The size durable-rules pays for: leaves, with each value of a one_of list counted."""
    return sum(len(leaf.value) if leaf.op == "one_of" else 1 for leaf in cond.leaves())


def check_limits(cond: Condition, where: str) -> Condition:
    """Refuse a condition larger than durable-rules can hold (engine.limits), naming where it is.

    Raises:
        RulesetError: too deep or too many leaves.
    """
    if depth(cond) > CONDITION_MAX_DEPTH:
        raise RulesetError(
            _("{where}: all/any/not nest {depth} levels deep; at most {limit}. Simplify the condition.").format(
                where=where, depth=depth(cond), limit=CONDITION_MAX_DEPTH
            )
        )
    if weight(cond) > CONDITION_MAX_LEAVES:
        raise RulesetError(
            _(
                "{where}: the condition tests {weight} values; durable-rules fails on "
                "large alternatives, so at most {limit} are allowed. "
                "Split the control or use fewer one_of values."
            ).format(where=where, weight=weight(cond), limit=CONDITION_MAX_LEAVES)
        )
    return cond


def needed_text(leaf: Leaf, label: Callable[[str, Any], str]) -> str:
    """What the leaf needs, in words ("yes", "one of: a, b", "at least 3", "an answer")."""
    if leaf.op == "answered":
        return _("an answer") if leaf.value else _("no answer")
    if leaf.op == "equals":
        return label(leaf.name, leaf.value)
    if leaf.op == "one_of":
        return _("one of: {choices}").format(choices="; ".join(label(leaf.name, v) for v in leaf.value))
    if leaf.op == "at_least":
        return _("at least {value}").format(value=leaf.value)
    return _("at most {value}").format(value=leaf.value)


def candidate_values(leaf: Leaf) -> list[Any]:
    """Literal values that could flip the leaf (used by the to_pass search for numbers)."""
    if leaf.op == "one_of":
        return list(leaf.value)
    if leaf.op == "at_least":
        return [leaf.value, leaf.value - 1]
    if leaf.op == "at_most":
        return [leaf.value, leaf.value + 1]
    if leaf.op == "equals":
        return [leaf.value]
    return []
