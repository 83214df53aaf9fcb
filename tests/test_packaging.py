"""The wheel carries every data file the tool reads (rules, clauses, samples, the app's config).

Building a wheel takes too long for the unit suite (.ci/run builds and installs one outside the
checkout); this checks that pyproject's package-data patterns cover every data file in the tree, so a
new kind of file cannot silently go missing from a regular install.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from engine import DEFAULT_RULES_DIR, data_dir

ROOT = Path(__file__).resolve().parent.parent


def test_package_data_covers_every_data_file():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    patterns = config["package-data"]
    assert {"rulesets", "sample_policies", "ui"} <= set(config["packages"])
    missing = []
    for package in ("rulesets", "sample_policies"):
        for path in (ROOT / package).rglob("*"):
            if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".py":
                continue
            relative = path.relative_to(ROOT / package).as_posix()
            if not any(
                fnmatch.fnmatchcase(relative, p) and relative.count("/") == p.count("/") for p in patterns[package]
            ):
                missing.append(f"{package}/{relative}")
    assert missing == [], f"not in the wheel's package data: {missing}"
    assert ".streamlit/config.toml" in patterns["ui"]


def test_data_is_found_through_importlib_resources():
    assert data_dir("rulesets") / "sanctuary" == DEFAULT_RULES_DIR
    assert (data_dir("sample_policies") / "clauses").is_dir()
    assert (data_dir("ui") / ".streamlit" / "config.toml").is_file()


def test_every_python_package_is_in_the_wheel():
    # setuptools is given an explicit package list: a new folder of modules (engine/evaluator/, engine/checks/)
    # left out of it installs without them, and the installed tool fails to import.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("engine", "ui")
        for init in (ROOT / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - set(config["packages"]) == set()


def test_the_spanish_catalogue_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    compiled = [p.relative_to(ROOT / "engine").as_posix() for p in (ROOT / "engine" / "locale").rglob("*.mo")]
    assert compiled, "no compiled catalogue in engine/locale"
    for relative in compiled:
        assert any(fnmatch.fnmatchcase(relative, p) for p in config["package-data"]["engine"]), relative
