"""The CDI and pre-bill edit routes on a stored encounter."""

from __future__ import annotations

from tests.service.conftest import NOTE, auth


def test_cdi_and_edits_routes(svc):
    client, keys = svc
    coder, cdi, auditor = auth(keys["coder"]), auth(keys["cdi"]), auth(keys["auditor"])
    created = client.post("/v1/encounters", json={"text": NOTE, "setting": "outpatient"}, headers=coder)
    assert created.status_code == 201, created.text
    enc = created.json()["encounter_id"]

    r = client.get(f"/v1/encounters/{enc}/cdi", headers=cdi)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["encounter_id"] == enc
    assert {"gaps", "queries", "hcc", "meat"} <= set(report)
    assert "N18.9" in {g["code"] for g in report["gaps"]}  # CKD without a stage
    for query in report["queries"]:
        assert "Clinically undetermined" in query["options"]

    r = client.get(f"/v1/encounters/{enc}/edits", params={"sex": "F", "age": 64}, headers=auditor)
    assert r.status_code == 200, r.text
    edits = r.json()
    assert edits["finalized"] is False and isinstance(edits["edits"], list) and "clean" in edits

    assert client.get(f"/v1/encounters/{enc}/edits", params={"sex": "X"}, headers=auditor).status_code == 422
    assert client.get(f"/v1/encounters/{enc}/cdi").status_code == 401
    assert client.get("/v1/encounters/999999/cdi", headers=cdi).status_code == 404
