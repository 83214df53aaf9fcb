"""The wheel carries the store's migrations and the app's map shapes (with their licence)."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.store.conftest import ROOT


def _covered(package_dir: str, patterns: list[str], relative: str) -> bool:
    return any(fnmatch.fnmatchcase(relative, p) and relative.count("/") == p.count("/") for p in patterns)


def test_migrations_and_map_shapes_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "engine.store" in config["packages"]
    data = config["package-data"]
    migrations = ROOT / "engine" / "store" / "migrations"
    files = [p.relative_to(ROOT / "engine" / "store").as_posix() for p in migrations.rglob("*") if p.is_file()]
    files = [f for f in files if "__pycache__" not in f]
    assert "migrations/env.py" in files and any(f.startswith("migrations/versions/") for f in files)
    assert [f for f in files if not _covered("engine/store", data["engine.store"], f)] == []
    shapes = [p.relative_to(ROOT / "ui").as_posix() for p in (ROOT / "ui" / "geo").iterdir()]
    assert {"geo/states-10m.json", "geo/counties-10m.json", "geo/LICENSE"} <= set(shapes)
    assert [f for f in shapes if not _covered("ui", data["ui"], f)] == []
    assert (
        "ISC" in (ROOT / "ui" / "geo" / "README.md").read_text()
        and "Bostock" in (ROOT / "ui" / "geo" / "LICENSE").read_text()
    )
