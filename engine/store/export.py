"""Exporting a wave: the results layout of ``sanctuary batch`` (one column per control), as CSV or Parquet.

Rows are read and written in batches, so a wave of any size exports in flat memory. CSV cells are made
spreadsheet-safe by ``engine.csv_safe``; the file appears only once complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.csv_safe import write_safe_rows
from engine.errors import InputError
from engine.i18n import _
from engine.outputs import open_atomic
from engine.store.connect import Store
from engine.store.schema import decode, respondents
from engine.store.waves import Wave, get_wave

_BATCH = 5000


def export_columns(wave: Wave) -> list[str]:
    """The columns of an exported wave: the results CSV's, then county and institution_id when stored."""
    columns = [
        "line",
        "respondent_id",
        "institution_name",
        "institution_type",
        "state",
        "overall_level",
        *wave.components,
        "provisional",
        "flags",
        "error",
        *(f"control:{c}" for c in wave.controls),
    ]
    return columns + [c for c, on in (("county", wave.county_column), ("institution_id", wave.id_column)) if on]


def wave_rows(store: Store, wave: Wave) -> Any:
    """Batches of exported rows (lists in ``export_columns`` order), in file order."""
    from sqlalchemy import select

    query = select(respondents).where(respondents.c.wave_id == wave.id).order_by(respondents.c.line, respondents.c.id)
    extra = [c for c, on in (("county", wave.county_column), ("institution_id", wave.id_column)) if on]
    with store.engine.connect() as connection:
        result = connection.execution_options(yield_per=_BATCH).execute(query).mappings()
        for partition in result.partitions(_BATCH):
            yield [
                [
                    r["line"],
                    r["respondent_id"],
                    r["institution_name"],
                    r["institution_type"],
                    r["state"],
                    r["level"],
                    *_cells(r["components"], len(wave.components)),
                    r["provisional"],
                    r["flags"],
                    r["error"],
                    *_cells(r["controls"], len(wave.controls)),
                    *(r[c] or "" for c in extra),
                ]
                for r in partition
            ]


def _cells(codes: str, width: int) -> list[str]:
    words = decode(codes)
    return [("" if w == "unknown" else w) for w in words] if codes.strip("-") else [""] * width


def export_wave(store: Store, wave_name: str, output: str | Path) -> int:
    """Write a wave to ``output``: Parquet for ``.parquet``, else CSV. Returns the number of rows.

    Raises:
        InputError: an unknown wave, or a file that cannot be written.
    """
    wave = get_wave(store, wave_name)
    target = Path(output)
    parquet = target.suffix.lower() in (".parquet", ".pq")
    if target.suffix.lower() not in (".parquet", ".pq", ".csv", ".txt"):
        raise InputError(
            _("{output}: name a .csv or .parquet file (the suffix chooses the format).").format(output=output)
        )
    written = 0
    # All at once or not at all (engine.outputs): a failed export keeps any earlier file of that name.
    text = {} if parquet else {"encoding": "utf-8-sig", "newline": ""}
    with open_atomic(target, "wb" if parquet else "w", **text) as handle:
        if parquet:
            written = _write_parquet(store, wave, handle, target.name)
        else:
            write_safe_rows(handle, [export_columns(wave)])
            for rows in wave_rows(store, wave):
                write_safe_rows(handle, rows)
                written += len(rows)
    return written


def _write_parquet(store: Store, wave: Wave, path: Any, name: str) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            _(
                "{name}: Parquet needs pyarrow; pip install 'sanctuary-policy-evaluator[store]', or export to .csv."
            ).format(name=name)
        ) from None

    columns = export_columns(wave)
    schema = pa.schema([(c, pa.int64() if c == "line" else pa.string()) for c in columns])
    written = 0
    with pq.ParquetWriter(path, schema) as writer:
        for rows in wave_rows(store, wave):
            table = pa.Table.from_pylist([dict(zip(columns, r, strict=True)) for r in rows], schema=schema)
            writer.write_table(table)
            written += len(rows)
        if not written:
            writer.write_table(schema.empty_table())
    return written
