"""Service settings, read from the environment (``CAC_DATABASE_URL``, ``CAC_MAX_NOTE_BYTES``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from cac import config

DEFAULT_MAX_NOTE_BYTES = 1_000_000


def default_database_url() -> str:
    """The embedded default: a SQLite file in ``CAC_HOME`` (no server needed)."""
    return f"sqlite:///{config.cac_home() / 'cac.db'}"


@dataclass(frozen=True)
class ServiceSettings:
    database_url: str
    max_note_bytes: int = DEFAULT_MAX_NOTE_BYTES
    migrate_on_start: bool = True

    @classmethod
    def from_env(cls) -> ServiceSettings:
        url = os.environ.get("CAC_DATABASE_URL") or default_database_url()
        raw = os.environ.get("CAC_MAX_NOTE_BYTES")
        max_bytes = int(raw) if raw else DEFAULT_MAX_NOTE_BYTES
        if max_bytes <= 0:
            raise ValueError(f"CAC_MAX_NOTE_BYTES must be positive, got {raw!r}")
        return cls(database_url=url, max_note_bytes=max_bytes)
