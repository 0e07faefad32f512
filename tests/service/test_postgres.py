"""The same workflow on PostgreSQL, when ``CAC_DATABASE_URL`` points at one."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.service.conftest import NOTE, auth, service


def test_workflow_on_postgres(fake_engine, store):
    url = os.environ.get("CAC_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("CAC_DATABASE_URL does not point at PostgreSQL")
    ext = f"pg-{uuid.uuid4()}"
    with service(url, fake_engine, store) as (client, keys):
        coder = auth(keys["coder"])
        enc = client.post("/v1/encounters", json={"text": NOTE, "external_id": ext}, headers=coder).json()
        for s in enc["suggestions"]:
            if s["proposed"]:
                body = {"action": "accept", "suggestion_id": s["id"]}
                assert client.post(f"/v1/encounters/{enc['id']}/decisions", json=body, headers=coder).status_code == 201
        final = client.post(f"/v1/encounters/{enc['id']}/finalize", headers=coder).json()
        assert [d["code"] for d in final["diagnoses"]] == ["E11.22", "I10", "N18.9"]
    with service(url, fake_engine, store) as (client, keys):  # a fresh app on the same database
        got = client.get("/v1/encounters", params={"external_id": ext}, headers=auth(keys["auditor"])).json()
        assert got["total"] == 1 and got["items"][0]["status"] == "finalized"
        # the migration's trigger keeps the audit trail append-only
        with client.app.state.db.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text("UPDATE audit_events SET actor = 'x'"))
