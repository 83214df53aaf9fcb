"""Opening a store: an SQLite file (the default, in the user data folder) or a PostgreSQL database.

``open_store(url)`` checks the URL, connects and brings the schema up to date with Alembic (the migrations
ship inside the package), so a store made by an older version of the tool is upgraded on first use. Nothing is
created unless asked: reading commands refuse an SQLite file that does not exist yet.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.i18n import _

STORE_ENV = "SANCTUARY_STORE"
"""An environment variable naming the store, for a coalition that keeps one shared database."""

DEFAULT_FILE = "coalition.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_store_url() -> str:
    """``$SANCTUARY_STORE``, else an SQLite file in the user data folder (beside the opt-in autosave file;
    ``$SANCTUARY_DATA_DIR`` moves that folder, as it does for the autosave file)."""
    from_env = os.environ.get(STORE_ENV, "").strip()
    if from_env:
        return from_env
    import platformdirs

    folder = Path(
        os.environ.get("SANCTUARY_DATA_DIR")
        or platformdirs.user_data_dir("sanctuary-policy-evaluator", appauthor=False)
    )
    return f"sqlite:///{folder / DEFAULT_FILE}"


def _parse(url: str) -> Any:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = url.strip()
    if "://" not in text:  # a bare file name: an SQLite file
        text = f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise InputError(
            _(
                "--store: {url!r} is not a database URL; give sqlite:///FILE.db or postgresql+psycopg://USER@HOST/DB."
            ).format(url=url)
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        # psycopg 3 is the driver this tool ships with; 'postgresql://' alone would ask for psycopg2.
        return parsed.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise InputError(
            _("--store: {backend} databases are not supported; use SQLite or PostgreSQL.").format(backend=backend)
        )
    if not parsed.database or parsed.database == ":memory:":
        raise InputError(
            _("--store: name the SQLite file, e.g. sqlite:///coalition.db (a memory database keeps nothing).")
        )
    return parsed


def shown(url: Any) -> str:
    """A store URL for messages: never its password."""
    return url.render_as_string(hide_password=True)


@dataclass
class Store:
    """An open store: ``engine`` is the SQLAlchemy engine; ``label`` names it in messages (no password)."""

    engine: Any
    label: str

    @property
    def dialect(self) -> str:
        return str(self.engine.dialect.name)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # A reader (the app) and one writer (a batch) at once; wait rather than fail while the other commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(connection: Any) -> Any:
    """An Alembic configuration that runs the packaged migrations on ``connection``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def open_store(url: str | None = None, *, create: bool = False, upgrade: bool = True) -> Store:
    """Open (and migrate) the store at ``url`` (default: ``default_store_url()``).

    Args:
        url: an SQLAlchemy URL (``sqlite:///FILE``, ``postgresql+psycopg://USER@HOST/DB``) or an SQLite file path.
        create: make the SQLite file (and its folder) when missing; only a command that writes asks for this.
        upgrade: run the migrations up to the newest schema.

    Raises:
        InputError: a bad URL, a missing SQLite file (when not creating), or a database that cannot be reached.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import SQLAlchemyError

    parsed = _parse(url or default_store_url())
    label = shown(parsed)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database).expanduser()
        if not path.exists():
            if not create:
                raise InputError(
                    _(
                        "{path}: no store here yet; store a wave first with 'sanctuary batch "
                        "SURVEY.csv --store ... --wave NAME'."
                    ).format(path=path)
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(
                    _("{parent}: cannot make the folder ({strerror}).").format(
                        parent=path.parent, strerror=exc.strerror
                    )
                ) from None
        elif path.is_dir():
            raise InputError(
                _("{path}: is a directory; give the store's file, e.g. {value}.").format(
                    path=path, value=path / DEFAULT_FILE
                )
            )
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(parsed, pool_pre_ping=True)
    store = Store(engine, label)
    try:
        if upgrade:
            migrate(store, "head")
        else:
            with engine.connect():
                pass
    except SQLAlchemyError as exc:
        engine.dispose()
        raise InputError(
            _("{label}: cannot open the store ({first_line}).").format(label=label, first_line=first_line(exc))
        ) from None
    return store


def migrate(store: Store, revision: str = "head", *, down: bool = False) -> None:
    """Run the migrations up (or ``down``) to ``revision`` in one transaction."""
    from alembic import command

    with store.engine.begin() as connection:
        config = alembic_config(connection)
        if down:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__
