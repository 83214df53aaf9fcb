"""Module boundaries: one module talks to durable-rules; the engine never imports streamlit; the UI uses only
the engine's public names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_only_one_module_imports_durable_rules() -> None:
    users = [
        p.relative_to(ROOT).as_posix()
        for folder in ("engine", "ui", "bench")
        for p in python_files(folder)
        if any(n.split(".")[0] in ("durable", "durable_rules_engine") for n in imports(p))
    ]
    assert users == ["engine/run/_durable.py"]


def test_durable_lang_is_never_used() -> None:
    for p in python_files("engine") + python_files("ui"):
        assert not any(n.startswith("durable.lang") or n == "durable" for n in imports(p)), p


def test_engine_never_imports_streamlit() -> None:
    for p in python_files("engine"):
        assert not any(n.split(".")[0] == "streamlit" for n in imports(p)), p


def test_ui_uses_only_the_engine_public_api() -> None:
    import engine

    for p in python_files("ui"):
        tree = ast.parse(p.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("engine"):
                assert node.module == "engine", f"{p}: imports {node.module}"
                for alias in node.names:
                    assert alias.name in engine.__all__, f"{p}: {alias.name} is not public"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("engine."), f"{p}: imports {alias.name}"


def test_every_public_name_resolves_lazily() -> None:
    import engine

    assert sorted(engine.__all__) == sorted(engine._EXPORTS)
    for name in engine.__all__:
        assert getattr(engine, name) is not None, name


def test_evaluate_path_does_not_import_heavy_modules() -> None:
    """`sanctuary evaluate` must not pay for pandas, streamlit, python-docx or the survey code (start-up time)."""
    import subprocess
    import sys

    probe = (
        "import sys; from engine.cli.main import main; "
        "main(['evaluate', 'sample_policies/answers/k12_school_strong.yaml', '-o', '/dev/null']); "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pandas', 'streamlit', 'docx', 'dask', 'us') or m.startswith('engine.survey'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_state_code_fast_path_knows_the_same_codes_as_the_us_package() -> None:
    from engine.rules.parsing import US_STATES
    from engine.run.spellings import states

    assert sorted(US_STATES) == sorted(code for code, _ in states())
