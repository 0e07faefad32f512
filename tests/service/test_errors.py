"""Limits and errors: 413, 422 with readable messages, 404, 409, and never a traceback."""

from __future__ import annotations

import logging

from tests.service.conftest import NOTE, FakeEngine, auth, service


def _post(client, key, body):
    return client.post("/v1/encounters", json=body, headers=auth(key))


def test_validation_messages(svc):
    client, keys = svc
    r = _post(client, keys["coder"], {"text": NOTE, "setting": "ambulance"})
    assert r.status_code == 422 and r.json()["detail"].startswith("setting: Input should be 'outpatient'")
    r = _post(client, keys["coder"], {"text": NOTE, "note_type": "memo"})
    assert r.status_code == 422 and "note_type" in r.json()["detail"]
    r = _post(client, keys["coder"], {"setting": "outpatient"})
    assert r.status_code == 422 and "exactly one of 'text'" in r.json()["detail"]
    r = _post(client, keys["coder"], {"text": "   "})
    assert r.status_code == 422 and r.json()["detail"] == "the note is empty"
    r = client.post(
        "/v1/encounters",
        content=b'{"text": "abc", ',
        headers={**auth(keys["coder"]), "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("malformed JSON")
    assert "Traceback" not in r.text


def test_decision_errors(svc):
    client, keys = svc
    coder = auth(keys["coder"])
    enc = _post(client, keys["coder"], {"text": NOTE}).json()
    sid = enc["suggestions"][0]["id"]
    url = f"/v1/encounters/{enc['id']}/decisions"

    def check(body, status, fragment):
        r = client.post(url, json=body, headers=coder)
        assert r.status_code == status, r.text
        assert fragment in r.json()["detail"], r.json()

    check({"action": "edit", "suggestion_id": sid, "system": "ICD-10-CM", "code": "11E.22"}, 422, "malformed ICD-10-CM")
    check({"action": "edit", "suggestion_id": sid, "system": "ICD-10-CM", "code": "E11.99"}, 422, "does not exist")
    check({"action": "edit", "suggestion_id": sid, "system": "ICD-10-CM", "code": "E11"}, 422, "not a billable code")
    check({"action": "edit", "suggestion_id": sid, "system": "ICD-11", "code": "E11"}, 422, "unknown code system")
    check({"action": "edit", "suggestion_id": sid, "system": "CPT", "code": "99999"}, 422, "does not exist")
    check({"action": "edit", "suggestion_id": sid, "system": "ICD-10-CM", "code": "E11.22"}, 422, "with itself")
    check({"action": "reject", "suggestion_id": sid}, 422, "needs a reason")
    check({"action": "reject", "suggestion_id": sid, "reason": "dislike"}, 422, "unknown reason")
    check({"action": "reject", "suggestion_id": sid, "reason": "other"}, 422, "needs a comment")
    check({"action": "accept", "suggestion_id": 999999}, 404, "not part of encounter")
    check({"action": "accept"}, 422, "needs suggestion_id")
    check({"action": "add", "system": "ICD-10-CM", "code": "K63.5"}, 422, "evidence")
    check(
        {"action": "add", "system": "ICD-10-CM", "code": "K63.5", "evidence": [{"start": 5, "end": 99999}]},
        422,
        "outside",
    )
    check(
        {"action": "add", "system": "ICD-10-CM", "code": "E11.22", "evidence": [{"start": 0, "end": 5}]},
        409,
        "accept it",
    )
    check({"action": "accept", "suggestion_id": sid, "diagnosis_links": ["I10"]}, 422, "procedure codes")
    check({"action": "approve", "suggestion_id": sid}, 422, "action")
    r = client.post("/v1/encounters/424242/decisions", json={"action": "accept", "suggestion_id": sid}, headers=coder)
    assert r.status_code == 404 and r.json() == {"detail": "encounter 424242 not found"}
    assert client.get("/v1/encounters/424242", headers=coder).status_code == 404
    r = client.post(f"/v1/encounters/{enc['id']}/reopen", json={"reason": "not locked"}, headers=coder)
    assert r.status_code == 409
    # nothing was recorded by the refused requests
    assert client.get(url, headers=coder).json()["decisions"] == []


def test_note_size_limit(db_url, fake_engine, store):
    with service(db_url, fake_engine, store, max_note_bytes=2000) as (client, keys):
        ok = _post(client, keys["coder"], {"text": NOTE})
        assert ok.status_code == 201
        r = _post(client, keys["coder"], {"text": NOTE + " x" * 1000})
        assert r.status_code == 413 and "limit is 2000" in r.json()["detail"]
        huge = {"text": "y" * 200_000}
        r = _post(client, keys["coder"], huge)
        assert r.status_code == 413 and "too large" in r.json()["detail"]
        assert fake_engine.calls == 1  # the engine never saw the oversized notes


def test_unexpected_error_is_json_without_traceback(db_url, store, caplog):
    secret = "SECRET-NOTE-7f3a"
    engine = FakeEngine(store, fail_with=RuntimeError(f"engine blew up on {secret}"))
    caplog.set_level(logging.DEBUG)
    with service(db_url, engine, store) as (client, keys):
        r = _post(client, keys["coder"], {"text": f"{secret} {NOTE}"})
    assert r.status_code == 500 and r.json() == {"detail": "internal server error"}
    assert "RuntimeError" in caplog.text  # logged for the operator ...
    assert secret not in caplog.text  # ... without the note, or the message quoting it


def test_note_text_never_logged(svc, caplog):
    client, keys = svc
    marker = "ZZMARKER-91c2e"
    caplog.set_level(logging.DEBUG)
    r = _post(client, keys["coder"], {"text": f"{NOTE} {marker}", "external_id": "log-test"})
    assert r.status_code == 201
    client.get(f"/v1/encounters/{r.json()['id']}", headers=auth(keys["coder"]))
    assert "POST /v1/encounters -> 201" in caplog.text
    assert marker not in caplog.text
