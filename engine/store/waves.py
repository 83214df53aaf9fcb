"""Listing, finding and deleting waves."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from engine.errors import InputError
from engine.i18n import _, pgettext
from engine.store.connect import Store
from engine.store.schema import respondents, waves


@dataclass(frozen=True)
class Wave:
    """One stored wave, as the ``waves`` table has it."""

    id: int
    name: str
    stored_at: str
    as_of: str
    rules_id: str
    rules_version: str
    rules_hash: str
    source_name: str
    source_hash: str
    controls: tuple[str, ...]
    components: tuple[str, ...]
    id_column: str | None
    county_column: str | None
    respondents: int
    evaluated: int
    errors: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the code orders, which only the store needs)."""
        return {
            "name": self.name,
            "stored_at": self.stored_at,
            "as_of": self.as_of,
            "rules": f"{self.rules_id} {self.rules_version}",
            "rules_hash": self.rules_hash,
            "source": self.source_name,
            "source_sha256": self.source_hash,
            "id_column": self.id_column,
            "county_column": self.county_column,
            "respondents": self.respondents,
            "evaluated": self.evaluated,
            "errors": self.errors,
        }


def _wave(row: Any) -> Wave:
    stored = row["stored_at"]
    return Wave(
        id=row["id"],
        name=row["name"],
        stored_at=stored.isoformat(timespec="seconds") if hasattr(stored, "isoformat") else str(stored),
        as_of=row["as_of"].isoformat() if hasattr(row["as_of"], "isoformat") else str(row["as_of"]),
        rules_id=row["rules_id"],
        rules_version=row["rules_version"],
        rules_hash=row["rules_hash"],
        source_name=row["source_name"],
        source_hash=row["source_hash"],
        controls=tuple(json.loads(row["controls"])),
        components=tuple(json.loads(row["components"])),
        id_column=row["id_column"],
        county_column=row["county_column"],
        respondents=row["respondents"],
        evaluated=row["evaluated"],
        errors=row["errors"],
    )


def list_waves(store: Store) -> list[Wave]:
    """Every wave, oldest first (by the date the law was applied at, then the day it was stored)."""
    from sqlalchemy import select

    with store.engine.connect() as connection:
        rows = connection.execute(select(waves).order_by(waves.c.as_of, waves.c.stored_at, waves.c.id)).mappings()
        return [_wave(row) for row in rows]


def get_wave(store: Store, name: str) -> Wave:
    """The wave called ``name``.

    Raises:
        InputError: no such wave (the message lists the stored ones).
    """
    found = {wave.name: wave for wave in list_waves(store)}
    if name in found:
        return found[name]
    known = ", ".join(found) or pgettext("waves", "none yet")  # "ninguna": a wave is feminine in Spanish
    raise InputError(
        _("{label}: no wave called {name!r}; the stored waves are: {known}.").format(
            label=store.label, name=name, known=known
        )
    )


def delete_wave(store: Store, name: str) -> int:
    """Delete a wave and its respondents in one transaction; returns how many respondent rows went."""
    from sqlalchemy import delete

    wave = get_wave(store, name)
    with store.engine.begin() as connection:
        gone = connection.execute(delete(respondents).where(respondents.c.wave_id == wave.id)).rowcount
        connection.execute(delete(waves).where(waves.c.id == wave.id))
    return int(gone)
