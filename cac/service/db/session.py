"""Database engine, sessions, and schema upgrades (Alembic) for the service."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _with_driver(url: str) -> str:
    """``postgresql://`` names psycopg2; use psycopg (3) when that is the driver installed."""
    if (
        url.startswith("postgresql://")
        and importlib.util.find_spec("psycopg2") is None
        and importlib.util.find_spec("psycopg") is not None
    ):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, immediate: bool = False) -> Engine:
    """A SQLAlchemy engine. SQLite files get their folder created, WAL, a generous busy timeout, and explicit
    transactions: ``BEGIN IMMEDIATE`` when ``immediate`` (writers take the lock before they read, so a
    read-check-write such as "is the encounter still open?" cannot race another writer), plain ``BEGIN`` else."""
    url = _with_driver(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # the driver leaves transactions to the "begin" hook below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


@dataclass
class Database:
    """Read sessions and write sessions (on SQLite, from an engine whose transactions lock at once)."""

    engine: Engine
    writer: Engine
    read: sessionmaker[Session]
    write: sessionmaker[Session]

    def dispose(self) -> None:
        self.engine.dispose()
        if self.writer is not self.engine:
            self.writer.dispose()


def open_database(url: str, migrate: bool = True) -> Database:
    """Engines and session factories for ``url``; the schema is upgraded to the latest revision first."""
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    writer = make_engine(url, immediate=True) if engine.dialect.name == "sqlite" else engine
    return Database(engine, writer, make_sessionmaker(engine), make_sessionmaker(writer))


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the packaged Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed at the end of the block, rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def page(session: Session, stmt: Select[Any], order_by: Any, limit: int, offset: int) -> tuple[int, list[Any]]:
    """The total count of ``stmt`` and one page of its rows in ``order_by`` order."""
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    return total, list(session.scalars(stmt.order_by(order_by).limit(limit).offset(offset)).all())
