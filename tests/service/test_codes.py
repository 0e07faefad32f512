"""``/v1/codes``: lookups and search over the code-set store."""

from __future__ import annotations

from tests.service.conftest import auth


def test_code_lookup(svc):
    client, keys = svc
    h = auth(keys["auditor"])
    r = client.get("/v1/codes/icd10cm/e1122", headers=h)
    assert r.status_code == 200
    entry = r.json()
    assert (entry["system"], entry["code"], entry["billable"], entry["parent"]) == (
        "ICD-10-CM",
        "E11.22",
        True,
        "E11.2",
    )
    assert entry["title"] == "Type 2 diabetes mellitus with diabetic chronic kidney disease"
    assert entry["hcc"] == ["HCC37"]  # CMS-HCC V28: diabetes with chronic complications
    assert client.get("/v1/codes/CPT/45378", headers=h).json()["title"].lower().startswith("colonoscopy")
    r = client.get("/v1/codes/ICD-10-CM/E11.99", headers=h)
    assert r.status_code == 404 and "does not exist" in r.json()["detail"]
    assert client.get("/v1/codes/ICD-10-CM/11E", headers=h).status_code == 422
    assert client.get("/v1/codes/SNOMED/123", headers=h).status_code == 422


def test_code_search(svc):
    client, keys = svc
    h = auth(keys["coder"])
    r = client.get(
        "/v1/codes/search", params={"q": "type 2 diabetes chronic kidney disease", "system": "icd10cm"}, headers=h
    )
    assert r.status_code == 200
    hits = r.json()["results"]
    assert hits and all(x["system"] == "ICD-10-CM" for x in hits)
    assert "E11.22" in [x["code"] for x in hits[:5]]
    assert client.get("/v1/codes/search", params={"q": ""}, headers=h).status_code == 422
    assert client.get("/v1/codes/search", params={"q": "x", "system": "loinc"}, headers=h).status_code == 422
    limited = client.get("/v1/codes/search", params={"q": "fracture", "limit": 3}, headers=h).json()["results"]
    assert len(limited) == 3
