"""Every message a user can meet goes through gettext: no English literal is handed straight to an error.

Issue 25 promises that a Spanish reader never meets an English sentence. The catalogue tests check what is
marked; this one finds what is not: it walks engine/ and ui/ with ``ast`` and fails on a string literal or
f-string with words in it given to a user-facing error (``SanctuaryError`` and every subclass found in the code,
the durable driver's ``DurableError``, argparse's ``ArgumentTypeError``), to ``print(..., file=sys.stderr)`` or to
``warnings.warn``, unless it passes through ``_()``, ``ngettext`` or ``pgettext`` first. A message built in a
variable of the same function first (``problem = f"..."; raise InputError(problem)``) is followed too.

Text that is not a sentence is not English: placeholders, key paths (``answers.{id}``, ``{where}.expect``), file
names and ids are left alone, so ``f"{source}: {exc}"`` passes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("engine", "ui")
BASE_ERRORS = {"SanctuaryError", "DurableError", "UnknownLanguageError", "ArgumentTypeError"}
ERRORS_MODULE = ROOT / "engine" / "errors.py"  # always read, so its subclasses are known wherever they are raised
WRAPPERS = {"_", "ngettext", "pgettext", "gettext"}
OUTPUT_CALLS = {"warn"}  # warnings.warn; print(..., file=...) is recognised by its keyword

# Deliberate English, by module and reason (no line numbers, so edits elsewhere in a file do not break it). Empty
# today: the English left on purpose is raised as exceptions no user can cause (TypeError/ValueError for misuse of
# the API, engine/__init__.py's AttributeError, the Alembic env guard's RuntimeError, the ImportError of
# engine/run/_durable.py on Python 3.13), which are not user-facing types and so are not checked here.
ALLOWED: dict[str, str] = {}

_PLACEHOLDER = "\0"
_WORD = re.compile(r"^[A-Za-z]{2,}$")


def english_words(text: str) -> list[str]:
    """The words of a literal that a reader would read as English (placeholders already replaced by NUL).

    A lone word with no space around it ("level", "protective") is an id or a key, not a sentence."""
    words = []
    for token in text.split():
        if _PLACEHOLDER in token or token.startswith(".") or token.endswith(":") or "_" in token:
            continue  # a key path, a value, a YAML key or an id: answers.{id}, {where}.expect, answers:, old_id
        word = token.strip(".,;:!?()'\"`")
        if _WORD.match(word):
            words.append(word)
    return words if len(text.strip().split()) > 1 else []


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.sub(r"\{[^{}]*\}", _PLACEHOLDER, node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else _PLACEHOLDER for v in node.values)
    return None


def _unwrapped(node: ast.AST, assigned: dict[str, list[ast.AST]], seen: set[str]) -> Iterator[str]:
    """English literals reachable from ``node`` without passing through a gettext call."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in WRAPPERS:
            return
        if isinstance(func, ast.Attribute) and func.attr == "format":
            yield from _unwrapped(func.value, assigned, seen)
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                yield from _unwrapped(arg, assigned, seen)
        return  # any other call builds its text elsewhere (did_you_mean, str(exc), a helper that wraps)
    text = _literal_text(node)
    if text is not None:
        if english_words(text):
            yield text.replace(_PLACEHOLDER, "{}")
        if isinstance(node, ast.JoinedStr):
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    yield from _unwrapped(value.value, assigned, seen)
        return
    if isinstance(node, ast.BinOp):
        yield from _unwrapped(node.left, assigned, seen)
        yield from _unwrapped(node.right, assigned, seen)
    elif isinstance(node, ast.IfExp):
        yield from _unwrapped(node.body, assigned, seen)
        yield from _unwrapped(node.orelse, assigned, seen)
    elif isinstance(node, ast.Name) and node.id in assigned and node.id not in seen:
        for value in assigned[node.id]:
            yield from _unwrapped(value, assigned, seen | {node.id})


def _error_names(trees: dict[str, ast.Module]) -> set[str]:
    """The base errors and every class that derives from one of them, anywhere in the scanned code."""
    names = set(BASE_ERRORS)
    every = [*trees.values(), ast.parse(ERRORS_MODULE.read_text(encoding="utf-8"))]
    classes = [n for tree in every for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for cls in classes:
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in cls.bases}
            if cls.name not in names and bases & names:
                names.add(cls.name)
                grew = True
    return names


def _functions(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    yield from (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def find_unwrapped(trees: dict[str, ast.Module]) -> list[str]:
    """'module: Call: literal' for every English literal handed to a user-facing error or output unwrapped."""
    errors = _error_names(trees)
    found = []
    for module, tree in trees.items():
        for scope in _functions(tree):
            body = scope.body if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef) else []
            assigned: dict[str, list[ast.AST]] = {}
            for node in (n for stmt in body for n in ast.walk(stmt)):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, []).append(node.value)
            calls = ast.walk(tree) if scope is tree else (n for stmt in body for n in ast.walk(stmt))
            for call in (n for n in calls if isinstance(n, ast.Call)):
                func = call.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in errors or name in OUTPUT_CALLS:
                    shown = call.args[:1]
                elif name == "print" and any(k.arg == "file" for k in call.keywords):
                    shown = list(call.args)
                else:
                    continue
                for arg in shown:
                    for literal in _unwrapped(arg, assigned if scope is not tree else {}, set()):
                        found.append(f"{module}:{call.lineno}: {name}: {literal!r}")
    return sorted(set(found))


def _parse(sources: dict[str, str]) -> dict[str, ast.Module]:
    return {module: ast.parse(text) for module, text in sources.items()}


def _scanned() -> dict[str, ast.Module]:
    trees = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            module = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
            if module not in ALLOWED:
                trees[module] = ast.parse(path.read_text(encoding="utf-8"))
    return trees


def test_no_english_literal_reaches_a_user_unwrapped() -> None:
    found = find_unwrapped(_scanned())
    assert not found, "wrap these in _() (engine.i18n) and run scripts/i18n_catalogue.py:\n" + "\n".join(found)


def test_allow_list_names_real_modules() -> None:
    for module in ALLOWED:
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), module


@pytest.mark.parametrize(
    "source",
    [
        'raise InputError(f"{where}: no such file.")',
        'raise RulesetError("a rules file is broken")',
        'raise InputError(f"{source}: " + "expected a mapping.")',
        'raise EvaluationError("rules {a} both matched".format(a=1))',
        'print(f"sanctuary: stopped {x}", file=sys.stderr)',
        'warnings.warn("this option is going away")',
        'problem = f"{where}: unknown key {key}"\nraise InputError(problem)',
        'class MyError(InputError):\n    pass\nraise MyError("it broke badly")',
        'raise DurableError(f"rule {rule} failed: {exc}", rule)',
        'raise InputError(_("{x}: {y}").format(x="the answers file", y=1))',
    ],
)
def test_the_check_finds_english(source: str) -> None:
    """The check is not vacuous: each of these hands English to a user unwrapped."""
    body = source if source.startswith("class") else "def f():\n" + "\n".join("    " + ln for ln in source.splitlines())
    assert find_unwrapped(_parse({"m": body})), source


@pytest.mark.parametrize(
    "source",
    [
        'raise InputError(_("{where}: no such file.").format(where=w))',
        'raise InputError(f"{source}: {exc}")',
        'raise InputError(f"answers.{exc}")',
        'raise RulesetError(f"{where}: {_(problem)}")',
        'raise InputError(ngettext("{n} row", "{n} rows", n).format(n=n))',
        'raise ValueError("programmer error, not shown to users")',
        "raise InputError(str(exc))",
    ],
)
def test_the_check_passes_wrapped_and_wordless_text(source: str) -> None:
    assert not find_unwrapped(_parse({"m": "def f():\n    " + source})), source


def _assigns_underscore(scope: ast.AST) -> bool:
    """Whether a function binds ``_`` itself (comprehensions have their own scope and are left out)."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef | ast.comprehension):
            continue
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            continue
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


def test_no_function_hides_gettext_behind_a_throwaway_underscore() -> None:
    """``core, _ = ...`` in a module that translates with ``_`` makes ``_`` a local of the whole function (and of
    its closures): a message said there, even before the assignment, fails with UnboundLocalError or NameError."""
    found = []
    for module, tree in _scanned().items():
        imports_gettext = any(
            isinstance(n, ast.ImportFrom) and any(a.name == "_" and a.asname is None for a in n.names)
            for n in ast.walk(tree)
        )
        if not imports_gettext:
            continue
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
            if _assigns_underscore(function):
                found.append(f"{module}.{function.name}")
    assert not found, "name the throwaway value instead of _: " + ", ".join(found)
