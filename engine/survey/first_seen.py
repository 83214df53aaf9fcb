"""Which line first held a key, for keys met in file order, without holding every key in memory.

A batch run must know, for each row, whether an earlier row had the same respondent id, the same institution or
the same answers. Held in a dict, those keys grew with the file (about 150 bytes per key, two or three keys a
row: 1,000,000 rows cost ~400 MB). ``FirstSeen`` keeps them in a private temporary SQLite database instead
(``sqlite3.connect("")``): SQLite holds it in a small page cache and spills the rest to a file in the temp
directory that it has already unlinked, so nothing is left behind even if the process is killed, and nothing
in it is readable survey text (the duplicate marker stores 16-byte digests; the reader stores respondent ids,
which the results file holds anyway). Memory stays flat however long the file; a small survey never touches
the disk at all.

Callers look keys up a chunk at a time (``firsts``), decide in file order, and record the new ones (``record``),
so lookups and inserts are a few statements per chunk, not one per row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

Key = TypeVar("Key", str, bytes)

# Pages SQLite may hold in memory (its default, 2 MiB): enough to keep a run's lookups fast and its memory flat.
CACHE_KIB = 2048
# Keys per lookup statement: well under SQLite's limit on bound parameters (32,766 since 3.32).
LOOKUP_BATCH = 500


class FirstSeen(Generic[Key]):
    """key -> the first line recorded for it; every key is of one type (``str`` or ``bytes``)."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None  # opened at the first key: most batch runs are small

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            # "" is SQLite's private temporary database: deleted when closed, never visible to another process.
            # Only this object uses the connection, one call at a time, but a generator holding it may be resumed
            # from another thread than the one that opened it (the app's reruns), so SQLite's own locking is used.
            db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            db.execute("PRAGMA journal_mode = OFF")  # a private scratch index: nothing to roll back to
            db.execute("PRAGMA synchronous = OFF")
            db.execute("CREATE TABLE first_seen (key PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID")
            self._db = db
        return self._db

    def firsts(self, keys: Iterable[Key]) -> dict[Key, int]:
        """The recorded first line of each of ``keys`` that has one."""
        wanted = list(dict.fromkeys(keys))
        if not wanted or self._db is None:
            return {}
        found: dict[Key, int] = {}
        for start in range(0, len(wanted), LOOKUP_BATCH):
            batch = wanted[start : start + LOOKUP_BATCH]
            marks = ",".join("?" * len(batch))
            found.update(self._db.execute(f"SELECT key, line FROM first_seen WHERE key IN ({marks})", batch))
        return found

    def record(self, pairs: Sequence[tuple[Key, int]]) -> None:
        """Record (key, line) for keys not recorded before (a key already there keeps its first line)."""
        if not pairs:
            return
        db = self._connection()
        db.execute("BEGIN")
        db.executemany("INSERT OR IGNORE INTO first_seen (key, line) VALUES (?, ?)", pairs)
        db.execute("COMMIT")

    def close(self) -> None:
        """Drop the index (and its temporary file) now rather than when the object is collected."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __del__(self) -> None:
        self.close()


class RepeatedIds:
    """Respondent ids used on more than one row, found while a survey is read: ``note`` each row's id in file order,
    ``flush`` at the end; ``repeats`` (id -> every line that used it, the first one first) is then complete.

    Ids are noted a block at a time and checked against the earlier blocks in one lookup (``FirstSeen``), so memory
    holds one block of ids plus the repeats found, never every id of the file.
    """

    BLOCK = 1000

    def __init__(self, repeats: dict[str, list[int]]) -> None:
        self.repeats = repeats
        self._firsts: FirstSeen[str] = FirstSeen()
        self._block: list[tuple[str, int]] = []

    def note(self, respondent: str, line: int) -> None:
        self._block.append((respondent, line))
        if len(self._block) >= self.BLOCK:
            self.flush()

    def flush(self) -> None:
        """Check the ids noted since the last flush (in file order) and record the new ones."""
        block, self._block = self._block, []
        first_lines = self._firsts.firsts(respondent for respondent, _ in block)
        new: list[tuple[str, int]] = []
        for respondent, line in block:
            first = first_lines.get(respondent)
            if first is None:
                first_lines[respondent] = line
                new.append((respondent, line))
            else:
                self.repeats.setdefault(respondent, [first]).append(line)
        self._firsts.record(new)

    def close(self) -> None:
        self._firsts.close()
