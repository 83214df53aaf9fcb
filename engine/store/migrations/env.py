"""Alembic environment: migrations always run on the connection ``engine.store.connect`` hands over."""

from __future__ import annotations

from alembic import context

from engine.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only open_store runs these migrations
    raise RuntimeError("run the store's migrations through engine.store.connect.migrate")
# render_as_batch: SQLite alters a table by copying it, which Alembic's batch mode does for us.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
