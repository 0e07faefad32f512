"""Access: API keys hashed at rest, 401 without a key, 403 for the wrong role, audited key management."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from cac.service.db.models import ApiKey, AppendOnlyError, AuditEvent
from tests.service.conftest import NOTE, auth


def test_no_key_401_except_health(svc):
    client, keys = svc
    assert client.get("/health").json()["status"] == "ok"
    paths = client.app.openapi()["paths"]
    checked = 0
    for path, methods in paths.items():
        if path == "/health":
            continue
        url = path.replace("{encounter_id}", "1").replace("{system}", "cpt").replace("{code}", "45378")
        url = url.replace("{key_id}", "abc")
        for method in methods:
            r = client.request(method.upper(), url)
            assert r.status_code == 401, (method, url, r.status_code)
            assert r.headers["www-authenticate"] == "Bearer"
            checked += 1
    assert checked >= 14
    assert client.get("/v1/encounters", headers={"X-API-Key": "cac_000000000000_nope"}).status_code == 401
    assert client.get("/v1/encounters", headers={"X-API-Key": "garbage"}).status_code == 401
    # the same key works as a bearer token
    bearer = {"Authorization": f"Bearer {keys['auditor']}"}
    assert client.get("/v1/encounters", headers=bearer).status_code == 200


def test_roles(svc):
    client, keys = svc
    coder, cdi, auditor, admin = (auth(keys[r]) for r in ("coder", "cdi", "auditor", "admin"))
    assert client.get("/v1/users", headers=coder).status_code == 403
    assert client.post("/v1/users", json={"name": "x", "role": "coder"}, headers=coder).status_code == 403
    r = client.post("/v1/encounters", json={"text": NOTE}, headers=auditor)
    assert r.status_code == 403 and "auditor" in r.json()["detail"]
    enc = client.post("/v1/encounters", json={"text": NOTE}, headers=cdi).json()  # CDI may submit notes
    sid = enc["suggestions"][0]["id"]
    for key in (auditor, cdi, admin):
        body = {"action": "accept", "suggestion_id": sid}
        assert client.post(f"/v1/encounters/{enc['id']}/decisions", json=body, headers=key).status_code == 403
        assert client.post(f"/v1/encounters/{enc['id']}/finalize", headers=key).status_code == 403
    for key in (coder, cdi, auditor, admin):
        assert client.get(f"/v1/encounters/{enc['id']}", headers=key).status_code == 200
        assert client.get(f"/v1/encounters/{enc['id']}/audit", headers=key).status_code == 200
    assert client.get(f"/v1/encounters/{enc['id']}/decisions", headers=auditor).json()["decisions"] == []


def test_admin_manages_keys_hashed_at_rest(svc):
    client, keys = svc
    admin = auth(keys["admin"])
    r = client.post("/v1/users", json={"name": "Dana Coder", "role": "coder"}, headers=admin)
    assert r.status_code == 201
    new = r.json()
    assert new["api_key"].startswith(f"cac_{new['key_id']}_")
    assert client.get("/v1/encounters", headers=auth(new["api_key"])).status_code == 200
    assert client.post("/v1/users", json={"name": "x", "role": "boss"}, headers=admin).status_code == 422
    listed = client.get("/v1/users", headers=admin).json()
    assert {u["name"] for u in listed} >= {"Dana Coder", "coder-user"} and all("api_key" not in u for u in listed)
    with client.app.state.sessions() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.key_id == new["key_id"])).one()
        secret = new["api_key"].split("_", 2)[2]
        assert secret not in (row.key_hash, row.salt) and len(row.key_hash) == 64
    assert client.delete(f"/v1/users/{new['key_id']}", headers=admin).json()["revoked_at"]
    assert client.get("/v1/encounters", headers=auth(new["api_key"])).status_code == 401
    assert client.delete(f"/v1/users/{new['key_id']}", headers=admin).status_code == 409
    with client.app.state.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "api_key")).all()
    assert actions.count("user.add") == 5 and actions.count("user.revoke") == 1


def test_audit_table_is_append_only(svc):
    client, keys = svc
    client.post("/v1/encounters", json={"text": NOTE}, headers=auth(keys["coder"]))
    sessions = client.app.state.sessions
    with sessions() as session:
        event = session.scalars(select(AuditEvent)).first()
        event.actor = "someone else"
        try:
            session.commit()
            raise AssertionError("ORM update of an audit event went through")
        except AppendOnlyError:
            session.rollback()
    for sql in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with client.app.state.db.connect() as conn:
            try:
                conn.execute(text(sql))
                raise AssertionError(f"{sql} went through")
            except DatabaseError as exc:
                assert "append-only" in str(exc)
