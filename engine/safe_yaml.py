"""One strict YAML reader for every file the project reads (rules and answers).

Safe loader only, plus: duplicate keys rejected; anchors and aliases rejected in answers files (an
alias bomb of a few hundred bytes expands to billions of nodes, and a recursive alias makes a cycle)
and, in rules files, allowed only without cycles and within EXPANDED_MAX_VALUES once expanded; nesting
bounded; integers bounded in digits (Python refuses to convert more than 4,300 and raises a
ValueError the YAML layer does not expect); dates kept as the ISO text they were written as; text given an
explicit tag (``!!int``, ``!!float``, ``!!bool``; ``!!seq`` or ``!!set`` on a key) checked like untagged text,
so every problem is a YAML error with its line, never a bare Python exception.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import yaml

from engine.i18n import DEFAULT_LANGUAGE, N_, _, current_language
from engine.limits import DOCUMENT_MAX_DEPTH, EXPANDED_MAX_VALUES, NUMBER_MAX_DIGITS


class StrictLoader(yaml.SafeLoader):
    """A safe loader with the checks of the module docstring."""

    _depth = 0
    allow_aliases = False

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not self.allow_aliases and self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                _("alias *{anchor} is not allowed (anchors and aliases are not supported); write the value out").format(
                    anchor=event.anchor
                ),
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > DOCUMENT_MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    _("nested more than {depth} levels deep").format(depth=DOCUMENT_MAX_DEPTH),
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: Any, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
    """The mapping, refusing keys that are not plain text and duplicate keys, in one pass over the pairs.

    Checking the keys in a pass of their own and then handing the node to PyYAML's ``construct_mapping`` built
    every key twice (about 7% of the time to load the rules). Merge keys (``<<``) stay unsupported: their tag has
    no constructor, so they fail as before.
    """
    if not isinstance(node, yaml.MappingNode):  # `key: !!map text`
        raise yaml.constructor.ConstructorError(
            None,
            None,
            _("expected a mapping, but found {kind}").format(kind=getattr(node, "id", "a value")),
            node.start_mark,
        )
    mapping: dict[Any, Any] = {}
    lines: dict[Any, int] = {}
    construct = loader.construct_object
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, _("a key must be plain text, not a list or mapping"), key_node.start_mark
            )
        key = construct(key_node, deep=deep)
        if not isinstance(key, Hashable):  # a scalar tagged !!seq, !!set, !!omap or !!pairs
            raise yaml.constructor.ConstructorError(
                None, None, _("a key must be plain text, not a list or mapping"), key_node.start_mark
            )
        if key in lines:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                _("duplicate key {key} (first at line {line}); remove one of them").format(
                    key=repr(key), line=lines[key] + 1
                ),
                key_node.start_mark,
            )
        lines[key] = key_node.start_mark.line
        mapping[key] = construct(value_node, deep=deep)
    return mapping


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    text = str(node.value)
    if sum(ch.isdigit() for ch in text) > NUMBER_MAX_DIGITS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            _("a number with more than {digits} digits; quote it if it is text").format(digits=NUMBER_MAX_DIGITS),
            node.start_mark,
        )
    return _checked(loader.construct_yaml_int, node, _("a whole number"))


def _checked(construct: Any, node: yaml.ScalarNode, what: str) -> Any:
    """A scalar built by PyYAML's constructor, or a YAML error naming the line.

    Untagged text only reaches these constructors when it already looks like a number or yes/no; an explicit
    tag (``!!int abc``, ``!!bool x``, ``!!float ""``) sends any text, and PyYAML then raised ValueError,
    KeyError or IndexError, which no reader expected: a traceback instead of a message.
    """
    try:
        return construct(node)
    except (ValueError, KeyError, IndexError):
        raise yaml.constructor.ConstructorError(
            None,
            None,
            _("!!{tag} {value} is not {what}").format(
                tag=node.tag.rsplit(":", 1)[-1], value=repr(node.value), what=what
            ),
            node.start_mark,
        ) from None


# libyaml's C parser is ~10x faster than the pure-Python one (parsing the rules dominated every start of the CLI
# and of each pool worker). Its composer cannot be hooked, so it is used only for text that cannot hold an alias
# (no anchor-like token) and whose flow nesting ([ and {) stays within the limit; block nesting needs a longer
# indent per level, so the file size bounds it. Anything else goes to the pure-Python loader, which gives the
# precise message. The constructors, shared by both, make the other checks identical.
if getattr(yaml, "__with_libyaml__", False):

    class FastLoader(yaml.CSafeLoader):
        """The strict constructors on libyaml's C parser."""

    FAST_LOADER: type[yaml.CSafeLoader] | None = FastLoader
else:  # pragma: no cover - depends on how PyYAML was built
    FAST_LOADER = None


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    return _checked(loader.construct_yaml_float, node, _("a number"))


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    return _checked(loader.construct_yaml_bool, node, _("yes or no"))


def _construct_date_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    return loader.construct_scalar(node)


_LOADERS: tuple[type[yaml.SafeLoader] | type[yaml.CSafeLoader], ...] = (StrictLoader, FAST_LOADER or StrictLoader)
for _cls in _LOADERS:
    _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _cls.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _cls.add_constructor("tag:yaml.org,2002:float", _construct_float)
    _cls.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _construct_date_as_text)

_ANCHOR_LIKE = re.compile(r"[&*][^\s\[\]{},]")
_FLOW_BRACKETS = re.compile(r"[\[\]{}]")


class _AliasLoader(StrictLoader):
    """The pure strict loader for files that may use aliases (rules): the node graph is bounded afterwards."""

    allow_aliases = True


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_graph(root: yaml.Node) -> None:
    """Refuse an alias cycle, and aliases that expand past EXPANDED_MAX_VALUES values or DOCUMENT_MAX_DEPTH levels.

    Linear in the distinct nodes: each node's expanded size and depth is computed once (post-order, no recursion).
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
            on_path.discard(key)
            if sizes[key] > EXPANDED_MAX_VALUES:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    _("aliases expand this to more than {count} values").format(count=f"{EXPANDED_MAX_VALUES:,}"),
                    node.start_mark,
                )
            if depths[key] > DOCUMENT_MAX_DEPTH + 1:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    _("nested more than {depth} levels deep (through aliases)").format(depth=DOCUMENT_MAX_DEPTH),
                    node.start_mark,
                )
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise yaml.composer.ComposerError(
                None, None, _("an alias refers to its own anchor (a cycle)"), node.start_mark
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _within_bounds(root: yaml.Node) -> bool:
    """True when the graph, expanded, surely passes ``_check_graph``: no cycle, within both bounds.

    A breadth-first walk that counts every visit (an alias is walked again each time it is used, which is what
    "expanded" means) and gives up as soon as either bound is passed, so a cycle or a bomb costs at most
    EXPANDED_MAX_VALUES visits. It only answers yes or no; on no, ``_check_graph`` finds the node to blame, so
    messages and lines stay as they were. Why: ``_check_graph``'s per-node bookkeeping was about half of the
    time to load the rules, and almost no file comes near a bound.
    """
    level = [root]
    total = 1
    depth = 1
    mapping = yaml.MappingNode
    scalar = yaml.ScalarNode
    while True:
        below: list[yaml.Node] = []
        for node in level:
            cls = node.__class__
            if cls is scalar:
                continue
            if cls is mapping or isinstance(node, mapping):
                for pair in node.value:
                    below.extend(pair)
            else:
                below.extend(node.value)
            if total + len(below) > EXPANDED_MAX_VALUES:
                return False
        if not below:
            return True
        depth += 1
        total += len(below)
        if depth > DOCUMENT_MAX_DEPTH + 1:
            return False
        level = below


def _fast_is_safe(text: str, aliases: bool) -> bool:
    if not aliases and _ANCHOR_LIKE.search(text):  # may be inside quotes: then the pure loader simply parses it
        return False
    depth = deepest = 0
    for match in _FLOW_BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest <= DOCUMENT_MAX_DEPTH


def parse(text: str, fast: type | None = None, aliases: bool = False) -> Any:
    """Parse one YAML document strictly; ``fast`` (such as FAST_LOADER) is used when the text allows it.

    Every loader here is a safe one (StrictLoader on ``yaml.SafeLoader``, FAST_LOADER on ``yaml.CSafeLoader``):
    plain data only, never Python objects. Named ``parse``, not ``load``, so it is never read as ``yaml.load``.

    Args:
        text: the document.
        fast: a C-parser loader class to use when the text allows it (None: always the pure loader).
        aliases: allow anchors and aliases (rules files), bounded by ``_check_graph``; answers files never.

    Raises:
        yaml.YAMLError: malformed, or breaks one of the rules above (with a line mark).
    """
    if fast is not None and _fast_is_safe(text, aliases):
        loader = fast(text)
    else:
        loader = _AliasLoader(text) if aliases else StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if aliases and not _within_bounds(node):
            _check_graph(node)
        return loader.construct_document(node)
    except RecursionError:
        raise yaml.YAMLError(_("nested more than {depth} levels deep").format(depth=DOCUMENT_MAX_DEPTH)) from None
    finally:
        loader.dispose()


# PyYAML's own problem texts (its Python scanner and parser, and libyaml's for the fast C loader the rules use, say
# them in English), as message ids, so a YAML error line reads in the run's language; our own problems above are
# already said in it. Matched whole, in this order (the specific "expected ..." forms before the general one); a
# rarer phrase not listed stays in PyYAML's words. The quoted tokens they name ('<block mapping start>', ':') are
# YAML's own symbols and are kept as they are.
PYYAML_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (r"mapping values are not allowed here", N_("mapping values are not allowed here")),
        (r"mapping keys are not allowed here", N_("mapping keys are not allowed here")),
        (r"sequence entries are not allowed here", N_("sequence entries are not allowed here")),
        (r"could not find expected ':'", N_("could not find expected ':'")),
        (r"found unexpected end of stream", N_("found unexpected end of stream")),
        (r"found unexpected document separator", N_("found unexpected document separator")),
        (
            r"found character (?P<char>.+) that cannot start any token",
            N_("found character {char} that cannot start any token"),
        ),
        (r"found unknown escape character (?P<char>.+)", N_("found unknown escape character {char}")),
        (r"found undefined alias (?P<alias>.+)", N_("found undefined alias {alias}")),
        (r"found undefined tag handle (?P<handle>.+)", N_("found undefined tag handle {handle}")),
        (
            r"expected a comment or a line break, but found (?P<found>.+)",
            N_("expected a comment or a line break, but found {found}"),
        ),
        (r"expected the node content, but found (?P<found>.+)", N_("expected the node content, but found {found}")),
        (r"expected <block end>, but found (?P<found>.+)", N_("expected <block end>, but found {found}")),
        (
            r"expected alphabetic or numeric character, but found (?P<found>.+)",
            N_("expected alphabetic or numeric character, but found {found}"),
        ),
        (
            r"expected (?P<expected>'[^']*'(?: or '[^']*')?), but (?:found|got) (?P<found>.+)",
            N_("expected {expected}, but found {found}"),
        ),
        # libyaml (yaml.CSafeLoader): the same problems in its words, without the character or token it saw.
        (r"mapping values are not allowed in this context", N_("mapping values are not allowed here")),
        (r"block sequence entries are not allowed in this context", N_("sequence entries are not allowed here")),
        (r"found character that cannot start any token", N_("found a character that cannot start any token")),
        (r"found a tab character that violates indentation", N_("found a tab character that violates indentation")),
        (
            r"found a tab character where an indentation space is expected",
            N_("found a tab character where an indentation space is expected"),
        ),
        (r"found unknown escape character", N_("found an unknown escape character")),
        (r"found undefined alias", N_("found an undefined alias")),
        (r"found undefined tag handle", N_("found an undefined tag handle")),
        (r"did not find expected key", N_("did not find the expected key")),
        (r"did not find expected node content", N_("did not find the expected node content")),
        (r"did not find expected '-' indicator", N_("did not find the expected '-' indicator")),
        (r"did not find expected (?P<expected>.+)", N_("did not find the expected {expected}")),
    )
)


def problem_words(problem: str) -> str:
    """A YAML problem in the run's language: PyYAML's common English phrases through the catalogue, ours as said."""
    if current_language() == DEFAULT_LANGUAGE:
        return problem  # PyYAML's words exactly, as English runs have always shown them
    for pattern, message in PYYAML_PROBLEMS:
        match = pattern.fullmatch(problem)
        if match:
            return _(message).format(**match.groupdict())
    return problem


def describe(exc: yaml.YAMLError) -> tuple[str, str]:
    """(' line N', problem) for a YAML error, for one-line messages."""
    mark = getattr(exc, "problem_mark", None)
    where = _(" line {line}").format(line=mark.line + 1) if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return where, problem_words(" ".join(str(problem).split()))
