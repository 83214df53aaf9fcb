"""Store fixtures: two survey waves built from the sample survey, and a store on SQLite and on PostgreSQL.

Every store test runs on both databases. PostgreSQL needs ``SANCTUARY_TEST_POSTGRES_URL`` (``.ci/run`` starts a
throwaway server and sets it); without it the PostgreSQL half skips, saying why, except in CI (``CI=true``),
where a missing server is a failure.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from engine.store import migrate, open_store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_policies" / "surveys" / "mixed_institutions.csv"
AS_OF = "2026-11-28"
POSTGRES_ENV = "SANCTUARY_TEST_POSTGRES_URL"

# Counties for a few sample rows (by institution name), to test the county column.
COUNTIES = {
    "Alameda Bay City Police Department": "Alameda",
    "Riverbend Police Department": "Cook County",
    "Sierra Vista County Detention Center": "06073",
}
DROPPING = "Alameda Bay City Police Department"  # strong in wave A; given Riverbend's answers in wave B
GONE = "Temple Beth Shalom"  # in wave A only
RENAMED = ("Masjid Al-Noor", "Masjid Al-Noor Community Center")  # so 'only in A' and 'only in B'
TWICE = "Hudson Valley College"  # answers twice in wave A, disagreeing on one question


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if url:
        return url
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true but {POSTGRES_ENV} is not set: .ci/run must start PostgreSQL for the store tests.")
    pytest.skip(f"no PostgreSQL: set {POSTGRES_ENV}=postgresql+psycopg://USER@HOST:PORT/DB to run this half (CI does)")


def _read_sample() -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


@pytest.fixture(scope="session")
def waves_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_waves(tmp_path_factory.mktemp("waves"))


def write_waves(folder: Path) -> Path:
    """wave_a.csv and wave_b.csv (with a County column) and changed.csv (wave A's rows, one answer changed)."""
    header, rows = _read_sample()
    name_at = header.index("institution_name")
    header = [*header, "County"]
    rows = [[*r, COUNTIES.get(r[name_at], "")] for r in rows]
    by_name = {r[name_at]: r for r in rows}
    twice = list(by_name[TWICE])
    twice[header.index("respondent_id")] = "SURV-HV-2"
    question = header.index("xc_requests_logged")  # 'yes' in the sample
    twice[question] = "no"
    wave_a = [*rows, twice]
    _write(folder / "wave_a.csv", header, wave_a)
    (folder / "question.txt").write_text(header[question])

    wave_b = []
    donor = by_name["Riverbend Police Department"]
    for r in rows:
        name = r[name_at]
        if name == GONE:
            continue
        r = list(r)
        if name == DROPPING:
            first_answer = header.index("public") + 1
            r[first_answer:-1] = donor[first_answer:-1]
        if name == RENAMED[0]:
            r[name_at] = RENAMED[1]
        wave_b.append(r)
    _write(folder / "wave_b.csv", header, wave_b)
    changed = [list(r) for r in wave_a]
    changed[0][header.index("respondent_id")] = "SURV-CHANGED"
    _write(folder / "changed.csv", header, changed)
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's URL, on each database in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coalition.db'}"
        return
    url = postgres_url()
    _empty(url)
    yield url
    _empty(url)


def _empty(url: str) -> None:
    with open_store(url, upgrade=False) as store:
        from sqlalchemy import inspect

        if "alembic_version" not in inspect(store.engine).get_table_names():
            migrate(store, "head")
        migrate(store, "base", down=True)
