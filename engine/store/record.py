"""Recording a batch run as a wave: the sink ``run_batch`` and ``run_dask`` call once per chunk of results.

One wave is one database transaction: the wave row and every respondent row are committed together when the
run ends, and an interrupted or failed run (Ctrl+C, a worker that died, a full disk, even SIGKILL) commits
nothing, so a store never holds half a wave. Respondent rows are inserted in batches as the chunks arrive, so
memory stays flat however long the survey.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.i18n import _
from engine.rules.model import Ruleset
from engine.run.institution import parse_public
from engine.store.connect import Store, first_line
from engine.store.schema import encode, respondents, waves
from engine.survey.layout import results_columns

COUNTY_COLUMN = "_county"
"""The survey frame column ``run_batch(keep_columns=...)`` carries a respondent's county in."""
ID_COLUMN = "_institution_id"
"""The survey frame column carrying the institution id (``--id-column``)."""

# Headers taken as the county column when none is named (compared without case, spaces or punctuation).
COUNTY_HEADERS = ("county", "countyname", "county_name", "countyfips", "county_fips", "fips", "condado")
INSERT_ROWS = 2000  # respondent rows per INSERT: large enough to be quick, small enough to keep memory flat


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputError(
            _("{path}: cannot read the file ({strerror}).").format(path=path, strerror=exc.strerror)
        ) from None
    return digest.hexdigest()


def county_header(headers: list[str]) -> str | None:
    """The survey header that holds the county, found by name, or None."""
    wanted = {re.sub(r"[^a-z]", "", h) for h in COUNTY_HEADERS}
    return next((h for h in headers if re.sub(r"[^a-z]", "", h.casefold()) in wanted), None)


def fold_name(name: str) -> str:
    """An institution name folded for matching: no accents, case, punctuation or repeated spaces."""
    # casefold first ('ß' -> 'ss'), then drop the accents NFKD splits off; letters of any script are kept.
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['\u2019\u02bc]", "", text)  # "Mary's" and "Marys" are one name
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def institution_key(name: str, types: str, state: str) -> str:
    """How respondents are matched across waves when no id column is used: folded name, types and state."""
    return f"{fold_name(name)}|{types}|{state}"[:600]


class AlreadyStored(Exception):
    """The same survey file, rules and date are already stored (a re-run stores nothing)."""

    def __init__(self, wave: str) -> None:
        super().__init__(wave)
        self.wave = wave


class WaveRecorder:
    """The store side of a batch run: ``with recorder: run_batch(..., sink=recorder)``.

    Entering checks for a duplicate and opens the wave's transaction; each call stores one chunk; leaving
    commits (or, after an exception, rolls everything back).
    """

    def __init__(
        self,
        store: Store,
        ruleset: Ruleset,
        wave: str,
        *,
        source: str | Path,
        as_of: dt.date,
        id_column: str | None = None,
        county_column: str | None = None,
    ) -> None:
        name = " ".join(str(wave).split())
        if not name or len(name) > 200:
            raise InputError(_("--wave: give the wave a name of 1 to 200 characters, e.g. --wave 2026."))
        self.store, self.ruleset, self.name = store, ruleset, name
        self.source_name, self.source_hash = str(source), file_sha256(source)
        self.as_of, self.id_column, self.county_column = as_of, id_column, county_column
        columns = results_columns(ruleset)
        self._at = {c: i for i, c in enumerate(columns)}
        self._components = [self._at[c] for c in ruleset.components]
        self._controls = [self._at[f"control:{c}"] for c in ruleset.controls]
        self._answer_memo: dict[tuple[str, str], Any] = {}
        self._public_memo: dict[str, bool | None] = {}
        self._pending: list[dict[str, Any]] = []
        self._connection: Any = None
        self._transaction: Any = None
        self.wave_id: int | None = None
        self.counts = {"respondents": 0, "evaluated": 0, "errors": 0}

    # -- before the run ---------------------------------------------------------------------------------------

    def check(self) -> None:
        """Raise AlreadyStored for a re-run of a stored wave, InputError for a name taken by another file."""
        from sqlalchemy import select

        with self.store.engine.connect() as connection:
            same_name = connection.execute(select(waves).where(waves.c.name == self.name)).mappings().first()
            if same_name is not None:
                if same_name["source_hash"] == self.source_hash:
                    raise AlreadyStored(self.name)
                raise InputError(
                    _(
                        "--wave {name}: the store already has a wave of that name from another "
                        "file ({same_name}); choose another name or remove it with 'sanctuary "
                        "waves --delete {name}'."
                    ).format(name=self.name, same_name=same_name["source_name"])
                )
            twin = connection.execute(
                select(waves.c.name).where(
                    waves.c.source_hash == self.source_hash,
                    waves.c.rules_hash == self.ruleset.content_hash,
                    waves.c.as_of == self.as_of,
                )
            ).first()
        if twin is not None:
            raise AlreadyStored(twin[0])

    # -- the transaction --------------------------------------------------------------------------------------

    def __enter__(self) -> WaveRecorder:
        self.check()
        with self._database_errors():
            self._connection = self.store.engine.connect()
            self._transaction = self._connection.begin()
            try:
                self._insert_wave()
            except BaseException:
                self._rollback()
                self._connection.close()
                raise
        return self

    @contextlib.contextmanager
    def _database_errors(self) -> Iterator[None]:
        """A database that refuses a write (a wave of the same name stored meanwhile, a lost connection, a full
        disk) is one line naming the store, like any other input error; the transaction is then rolled back."""
        from sqlalchemy.exc import IntegrityError, SQLAlchemyError

        try:
            yield
        except IntegrityError:
            raise InputError(
                _(
                    "--wave {name}: another run stored a wave of that name meanwhile; nothing was stored by this one."
                ).format(name=self.name)
            ) from None
        except SQLAlchemyError as exc:
            raise InputError(
                _("{label}: cannot store the wave ({first_line}); nothing was stored.").format(
                    label=self.store.label, first_line=first_line(exc)
                )
            ) from None

    def _insert_wave(self) -> None:
        from sqlalchemy import insert

        self.wave_id = self._connection.execute(
            insert(waves)
            .values(
                name=self.name,
                stored_at=dt.datetime.now(dt.UTC),
                as_of=self.as_of,
                rules_id=self.ruleset.id,
                rules_version=str(self.ruleset.version),
                rules_hash=self.ruleset.content_hash,
                source_name=self.source_name,
                source_hash=self.source_hash,
                controls=json.dumps(list(self.ruleset.controls)),
                components=json.dumps(list(self.ruleset.components)),
                id_column=self.id_column,
                county_column=self.county_column,
                respondents=0,
                evaluated=0,
                errors=0,
            )
            .returning(waves.c.id)
        ).scalar_one()

    def __call__(self, columns: list[str], rows: list[list[str]], lines: list[int], results: list[list[Any]]) -> None:
        """Store one chunk: the survey rows as read (for the answers) and their results rows, in the same order."""
        at = {c: i for i, c in enumerate(columns)}
        questions = [(i, self.ruleset.questions[c]) for i, c in enumerate(columns) if c in self.ruleset.questions]
        public_at, county_at, id_at = at.get("public"), at.get(COUNTY_COLUMN), at.get(ID_COLUMN)
        r = self._at
        for row, result in zip(rows, results, strict=True):
            error = str(result[r["error"]] or "")
            types, state = str(result[r["institution_type"]]), str(result[r["state"]])
            name = str(result[r["institution_name"]])
            self._pending.append(
                {
                    "wave_id": self.wave_id,
                    "line": int(result[r["line"]]),
                    "respondent_id": str(result[r["respondent_id"]])[:200],
                    "institution_key": institution_key(name, types, state),
                    "institution_id": _text(row[id_at])[:200] or None if id_at is not None else None,
                    "institution_name": name,
                    "institution_type": types[:400],
                    "state": state[:2],
                    "county": _text(row[county_at])[:200] or None if county_at is not None else None,
                    "public": self._public(row[public_at]) if public_at is not None else None,
                    "level": str(result[r["overall_level"]] or ""),
                    "components": encode([str(result[i] or "") for i in self._components]),
                    "controls": encode([str(result[i] or "") for i in self._controls]),
                    "provisional": str(result[r["provisional"]] or ""),
                    "flags": str(result[r["flags"]] or ""),
                    "error": error,
                    "answers": json.dumps(self._answers(row, questions), ensure_ascii=False, separators=(",", ":")),
                }
            )
            self.counts["respondents"] += 1
            self.counts["errors" if error else "evaluated"] += 1
        if len(self._pending) >= INSERT_ROWS:
            self._flush()

    def _flush(self) -> None:
        from sqlalchemy import insert

        if self._pending:
            with self._database_errors():
                self._connection.execute(insert(respondents), self._pending)
            self._pending = []

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        from sqlalchemy import update

        try:
            if kind is None:
                try:
                    self._flush()
                    with self._database_errors():
                        self._connection.execute(update(waves).where(waves.c.id == self.wave_id).values(**self.counts))
                        self._transaction.commit()
                    self._analyze()
                except BaseException:
                    self._rollback()
                    raise
            else:
                self._rollback()
        finally:
            self._pending = []
            with contextlib.suppress(Exception):
                self._connection.close()

    def _analyze(self) -> None:
        """Refresh PostgreSQL's statistics after a wave (its autovacuum would, a while later): with none for the new
        rows the planner guesses one row per wave and picks plans that take minutes on 100,000."""
        if self.store.dialect != "postgresql":
            return
        with contextlib.suppress(Exception), self.store.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE respondents")
            connection.commit()

    def _rollback(self) -> None:
        # A rollback on a lost connection fails too; the error to report is the one that stopped the wave (and the
        # database discards an uncommitted transaction by itself when the connection goes).
        with contextlib.suppress(Exception):
            self._transaction.rollback()

    # -- cells ------------------------------------------------------------------------------------------------

    def _answers(self, row: list[str], questions: list[tuple[int, Any]]) -> dict[str, Any]:
        """The row's answers, normalised as the evaluation read them; a cell that is not an answer is left out."""
        from engine.survey.rows import normalise_cell

        found: dict[str, Any] = {}
        memo = self._answer_memo
        for i, question in questions:
            raw = row[i]
            if not isinstance(raw, str) or not raw.strip():
                continue
            key = (question.id, raw)
            if key not in memo:
                if len(memo) > 50_000:
                    memo.clear()
                try:
                    memo[key] = normalise_cell(question, raw)
                except InputError:
                    memo[key] = None
            value = memo[key]
            if value is not None:
                found[question.id] = value
        return found

    def _public(self, raw: Any) -> bool | None:
        text = _text(raw)
        if text not in self._public_memo:
            try:
                self._public_memo[text] = parse_public(text, "public")
            except InputError:
                self._public_memo[text] = None
        return self._public_memo[text]


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
