"""FHIR R4 input: DocumentReference and Bundle, base64 or Binary attachments."""

from __future__ import annotations

import base64

from tests.service.conftest import NOTE, auth


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode()


def _docref(**attachment):
    return {
        "resourceType": "DocumentReference",
        "id": "doc-17",
        "identifier": [{"system": "urn:hospital:notes", "value": "NOTE-0017"}],
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "18842-5", "display": "Discharge summary"}]},
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", **attachment}}],
    }


def test_document_reference_base64(svc):
    client, keys = svc
    r = client.post("/v1/encounters", json={"fhir": _docref(data=_b64(NOTE))}, headers=auth(keys["coder"]))
    assert r.status_code == 201, r.text
    enc = r.json()
    assert (enc["note_type"], enc["external_id"], enc["setting"]) == ("discharge_summary", "NOTE-0017", "outpatient")
    assert enc["source_format"] == "fhir:DocumentReference"
    assert "E11.22" in [s["code"] for s in enc["suggestions"]]
    stored = client.get(f"/v1/encounters/{enc['id']}", headers=auth(keys["coder"])).json()
    assert stored["text"] == NOTE
    # evidence offsets point into the decoded note
    ev = stored["suggestions"][0]["evidence"][0]
    assert NOTE[ev["start"] : ev["end"]] == ev["text"]


def test_bundle_with_encounter_and_binary(svc):
    client, keys = svc
    doc = _docref(url="Binary/b1")
    doc["type"] = {"coding": [{"system": "http://loinc.org", "code": "11504-8"}]}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Encounter", "id": "e1", "status": "finished", "class": {"code": "IMP"}}},
            {"resource": doc},
            {
                "fullUrl": "urn:uuid:b1",
                "resource": {"resourceType": "Binary", "id": "b1", "contentType": "text/plain", "data": _b64(NOTE)},
            },
        ],
    }
    r = client.post("/v1/encounters", json={"fhir": bundle, "external_id": "mine"}, headers=auth(keys["coder"]))
    assert r.status_code == 201, r.text
    enc = r.json()
    assert (enc["setting"], enc["note_type"], enc["external_id"]) == ("inpatient", "operative_report", "mine")
    # an explicit setting wins over the Bundle's Encounter class
    r = client.post("/v1/encounters", json={"fhir": bundle, "setting": "emergency"}, headers=auth(keys["coder"]))
    assert r.json()["setting"] == "emergency"


def test_fhir_errors(svc):
    client, keys = svc
    h = auth(keys["coder"])

    def detail(body):
        r = client.post("/v1/encounters", json=body, headers=h)
        assert r.status_code == 422, r.text
        return r.json()["detail"]

    assert "base64" in detail({"fhir": _docref(data="not base64!!")})
    pdf = _docref(data=_b64("x"))
    pdf["content"][0]["attachment"]["contentType"] = "application/pdf"
    assert "no text/plain attachment" in detail({"fhir": pdf})
    assert "no fetching" in detail({"fhir": _docref(url="https://example.org/note.txt")})
    assert "no DocumentReference" in detail({"fhir": {"resourceType": "Bundle", "entry": []}})
    assert "content" in detail({"fhir": {"resourceType": "DocumentReference", "content": []}})
    assert "fhir" in detail({"fhir": {"resourceType": "Patient"}})
    assert "exactly one" in detail({"text": NOTE, "fhir": _docref(data=_b64(NOTE))})
