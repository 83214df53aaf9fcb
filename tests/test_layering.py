"""Imports run one way: every engine module imports only from its own layer's lower rooms or lower layers.

Layers, bottom up (docs/architecture.md explains each)::

    shared leaves (errors, limits, resources, safe_yaml, safe_text, csv_safe, outputs, vocabulary, i18n)
    -> rules -> run -> report -> evaluator -> checks -> survey -> store -> cli -> engine (the public names)

An import that points to a higher layer, or across to another room on the same level, fails.
Inside one layer the modules may import each other, but never in a circle. Every import counts: top-level,
inside a function, and under ``TYPE_CHECKING`` alike, because each is a dependency someone must read to change
the module. The UI reaches the engine only through the package's public names (tests/test_architecture.py).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"

LEAVES = ("errors", "limits", "resources", "safe_yaml", "safe_text", "csv_safe", "outputs", "vocabulary", "i18n")
# Layer of each top-level room of engine/ (the leaves share level 0 and may import each other; rooms that
# shared a level could not).
LEVELS = {
    **dict.fromkeys(LEAVES, 0),
    "rules": 1,
    "run": 2,
    "report": 3,
    "evaluator": 4,
    "checks": 5,  # a rule's worked cases run through the evaluator's compiled rules
    "survey": 6,
    "store": 7,
    "cli": 8,
    "": 9,  # engine/__init__.py: the public names, above everything
}


@dataclass(frozen=True)
class Module:
    path: str  # relative to the repository, for messages
    source: str
    is_package: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Module]:
    return {
        module_name(p): Module(p.relative_to(ROOT).as_posix(), p.read_text(), p.name == "__init__.py")
        for p in sorted(ENGINE.rglob("*.py"))
    }


def imported_modules(name: str, module: Module, known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, engine module) for every import in the module's source, anywhere in it.

    ``from engine.x import y`` counts as importing ``engine.x.y`` where that is a module, else ``engine.x``;
    relative imports are resolved against the module's package.
    """
    tree = ast.parse(module.source, filename=module.path)
    package = name if module.is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "engine":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != "engine":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield node.lineno, sub if sub in known else base


def room(module: str) -> str:
    """The top-level room of an engine module: 'rules' for engine.rules.model, '' for engine itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def level(module: str) -> int:
    name = room(module)
    if name not in LEVELS:
        raise AssertionError(f"{module}: engine/{name} has no layer; add it to LEVELS and docs/architecture.md")
    return LEVELS[name]


def upward_or_across(modules: dict[str, Module]) -> list[str]:
    known = set(modules)
    wrong = []
    for name, module in modules.items():
        for line, target in imported_modules(name, module, known):
            if target == "engine" and name != "engine":
                wrong.append(f"{module.path}:{line} imports the engine package (its public names)")
                continue
            if room(target) == room(name):
                continue
            if level(target) > level(name):
                wrong.append(f"{module.path}:{line} imports {target}, a higher layer")
            elif level(target) == level(name) and level(name) > 0:
                wrong.append(f"{module.path}:{line} imports {target}, across on its own layer")
    return list(dict.fromkeys(wrong))  # one line per import statement, however many names it takes


def circles(modules: dict[str, Module]) -> list[list[str]]:
    """Import circles among modules (a package importing its own submodules is not counted as one)."""
    known = set(modules)
    graph = {
        name: {t for _, t in imported_modules(name, module, known) if t != name and not name.startswith(t + ".")}
        for name, module in modules.items()
    }
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                found.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_every_room_of_the_engine_has_a_layer() -> None:
    for name in all_modules():
        level(name)


def test_no_import_points_up_or_across() -> None:
    wrong = upward_or_across(all_modules())
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


# Circles inside one room that remain, each closed only by an import inside a function (so importing either
# module alone works). Each is a known debt, listed so that no new one slips in and a fixed one is struck off.
KNOWN_CIRCLES = {
    # reading.py resolves --keep-columns with coalition.py's helper; coalition.py reads survey files.
    ("engine.survey.coalition", "engine.survey.reading"),
    # the sub-command modules write their output with cli/main.py's writer; main.py registers them.
    ("engine.cli.batch", "engine.cli.main", "engine.cli.store"),
    ("engine.cli.main", "engine.cli.states"),
}


def test_no_import_circles_but_the_known_ones() -> None:
    found = {tuple(sorted(set(c))) for c in circles(all_modules())}
    new = found - KNOWN_CIRCLES
    assert not new, "import circles:\n" + "\n".join(" -> ".join(c) for c in sorted(new))
    assert not KNOWN_CIRCLES - found, f"no longer circles; strike them off KNOWN_CIRCLES: {KNOWN_CIRCLES - found}"


@pytest.mark.parametrize(
    ("source", "wrong"),
    [
        ("from engine.report.build import build_report\n", "a higher layer"),
        ("def late():\n    from engine.survey import pool\n", "a higher layer"),
        ("from engine import evaluate\n", "the engine package"),
        ("import engine.cli.main\n", "a higher layer"),
    ],
)
def test_the_check_sees_an_upward_import_anywhere_in_a_module(source: str, wrong: str) -> None:
    """The check is not blind: an upward import at top level or inside a function is reported."""
    probe = Module("engine/run/probe.py", source, is_package=False)
    found = upward_or_across({**all_modules(), "engine.run.probe": probe})
    assert any(line.startswith("engine/run/probe.py:") and wrong in line for line in found), found


def test_the_check_sees_a_circle_even_through_a_function_level_import() -> None:
    modules = {
        "engine.rules.a": Module("a.py", "from engine.rules import b\n", is_package=False),
        "engine.rules.b": Module("b.py", "def f():\n    from engine.rules.a import x\n", is_package=False),
    }
    assert circles(modules) == [["engine.rules.a", "engine.rules.b", "engine.rules.a"]]
