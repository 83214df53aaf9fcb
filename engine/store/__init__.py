"""The coalition store: batch runs kept as waves in SQLite or PostgreSQL, compared across time and place.

``open_store`` opens (and migrates) a store; ``WaveRecorder`` is the sink a batch run writes a wave through;
``compare_waves``, ``disagreements``, ``level_counts``/``level_trends`` and ``export_wave`` read it back.
SQLAlchemy and Alembic are imported only when a store is used.
"""

from __future__ import annotations

from engine.store.compare import COMPARE_COLUMNS, compare_waves
from engine.store.connect import STORE_ENV, Store, default_store_url, migrate, open_store
from engine.store.consistency import CONSISTENCY_COLUMNS, disagreements
from engine.store.export import export_wave
from engine.store.record import AlreadyStored, WaveRecorder, county_header
from engine.store.views import (
    LEVELS,
    level_counts,
    level_trends,
    shares_by_place,
    stored_row,
    stored_submission,
    wave_as_of,
)
from engine.store.waves import Wave, delete_wave, get_wave, list_waves

__all__ = [
    "COMPARE_COLUMNS",
    "CONSISTENCY_COLUMNS",
    "LEVELS",
    "STORE_ENV",
    "AlreadyStored",
    "Store",
    "Wave",
    "WaveRecorder",
    "compare_waves",
    "county_header",
    "default_store_url",
    "delete_wave",
    "disagreements",
    "export_wave",
    "get_wave",
    "level_counts",
    "level_trends",
    "list_waves",
    "migrate",
    "open_store",
    "shares_by_place",
    "stored_row",
    "stored_submission",
    "wave_as_of",
]
