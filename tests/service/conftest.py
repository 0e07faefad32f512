"""Service test helpers: a small fake engine over the real code-set store, and apps on temp SQLite files."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cac.coding import InvalidRequestError
from cac.coding.types import NOTE_TYPES, SETTINGS

NOTE = (
    "Assessment: type 2 diabetes with diabetic chronic kidney disease. Hypertension, long standing. "
    "Chronic kidney disease noted. Mild headache today.\n"
    "Procedure: colonoscopy performed; a colon polyp was seen in the sigmoid."
)

# (system, code, score, phrase whose first occurrence in the note is the evidence)
_FAKE = [
    ("ICD-10-CM", "E11.22", 0.93, "type 2 diabetes with diabetic chronic kidney disease"),
    ("CPT", "45378", 0.85, "colonoscopy performed"),
    ("ICD-10-CM", "I10", 0.80, "Hypertension"),
    ("ICD-10-CM", "N18.9", 0.70, "Chronic kidney disease noted"),
    ("ICD-10-CM", "R51.9", 0.30, "headache"),
]


class FakeEngine:
    """Returns interfaces.md section 2 results built from real store codes for the phrases present in the note."""

    version = "fake-1"

    def __init__(self, store: Any, fail_with: Exception | None = None) -> None:
        self.store = store
        self.fail_with = fail_with
        self.calls = 0

    def suggest(self, text: str, setting: str = "outpatient", note_type: str | None = None) -> dict[str, Any]:
        if setting not in SETTINGS:
            raise InvalidRequestError(f"unknown setting {setting!r}")
        if note_type is not None and note_type not in NOTE_TYPES:
            raise InvalidRequestError(f"unknown note type {note_type!r}")
        if self.fail_with is not None:
            raise self.fail_with
        self.calls += 1
        suggestions = []
        for system, code, score, phrase in _FAKE:
            start = text.find(phrase)
            if start < 0:
                continue
            suggestions.append(
                {
                    "system": system,
                    "code": code,
                    "title": self.store.title(system, code),
                    "score": score,
                    "evidence": [{"start": start, "end": start + len(phrase), "text": phrase}],
                    "assertion": "present",
                    "rationale": f"fake: {phrase}",
                    "flags": [],
                }
            )
        return {
            "threshold": 0.5,
            "codeset_versions": {r.system: r.release for r in self.store.releases() if r.active},
            "suggestions": suggestions,
            "mentions": [],
        }


@contextmanager
def service(db_url: str, engine: Any, store: Any, **settings: Any) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A started app (lifespan run, DB migrated) and one API key per role."""
    from cac.service import ServiceSettings, create_app
    from cac.service.audit import Actor
    from cac.service.db.session import transaction
    from cac.service.keys import add_key

    app = create_app(ServiceSettings(database_url=db_url, **settings), engine=engine, store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        keys = {}
        with transaction(app.state.write_sessions) as session:
            for role in ("coder", "cdi", "auditor", "admin"):
                keys[role] = add_key(session, Actor("test-setup", "admin"), f"{role}-user", role)[1]
        yield client, keys


def auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


@pytest.fixture
def fake_engine(store) -> FakeEngine:
    return FakeEngine(store)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'service.db'}"


@pytest.fixture
def svc(db_url, fake_engine, store) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with service(db_url, fake_engine, store) as pair:
        yield pair
