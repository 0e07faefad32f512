"""What the workbench page needs from the service, without a browser: the page and its files at ``/`` (with the API
still answering), ``/v1/me``, the worklist's states, counts and search, sections in the encounter, and the CDI
routes on an encounter with a coder's addition."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from tests.service.conftest import NOTE, auth

REPO_ROOT = Path(__file__).resolve().parents[2]
STATIC = REPO_ROOT / "cac" / "service" / "static"


def test_page_and_static_files_are_served_next_to_the_api(svc):
    client, keys = svc
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="js/main.js">' in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"] == "no-referrer"
    assert client.get("/index.html").status_code == 200
    for path, kind in (("/app.css", "text/css"), ("/js/main.js", "javascript"), ("/favicon.svg", "image/svg")):
        r = client.get(path)
        assert r.status_code == 200 and kind in r.headers["content-type"], path
    assert client.get("/nothing-here.js").status_code == 404
    # The API, its docs and health keep answering, and still want a key.
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/docs").status_code == 200 and client.get("/openapi.json").status_code == 200
    assert client.get("/v1/encounters").status_code == 401
    assert client.get("/v1/encounters", headers=auth(keys["coder"])).status_code == 200
    assert client.get("/v1/no-such-route", headers=auth(keys["coder"])).status_code == 404


def test_every_static_file_is_package_data():
    """A non-editable install must carry the page: every file under static/ matches a package-data pattern."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["cac.service"]
    files = [p.relative_to(STATIC.parent).as_posix() for p in STATIC.rglob("*") if p.is_file()]
    assert files and "static/index.html" in files
    missing = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert missing == []


def test_me_names_the_caller_and_what_the_role_may_do(svc):
    client, keys = svc
    assert client.get("/v1/me").status_code == 401
    expected = {
        "coder": (True, True, False),
        "cdi": (False, True, False),
        "auditor": (False, False, False),
        "admin": (False, False, True),
    }
    for role, (decide, submit, admin) in expected.items():
        me = client.get("/v1/me", headers=auth(keys[role])).json()
        assert me == {
            "name": f"{role}-user",
            "role": role,
            "can_decide": decide,
            "can_submit": submit,
            "can_admin": admin,
        }


def test_worklist_states_counts_and_search(svc):
    client, keys = svc
    coder = auth(keys["coder"])
    ids = {}
    for ext in ("MRN-100_A", "mrn-200", "MRN-300", "other%1"):
        r = client.post("/v1/encounters", json={"text": NOTE, "external_id": ext}, headers=coder)
        ids[ext] = r.json()["id"]
    # mrn-200 in review (one decision), MRN-300 finalised
    enc = client.get(f"/v1/encounters/{ids['mrn-200']}", headers=coder).json()
    assert enc["review_status"] == "new"
    first = enc["suggestions"][0]
    client.post(
        f"/v1/encounters/{ids['mrn-200']}/decisions",
        json={"action": "accept", "suggestion_id": first["id"]},
        headers=coder,
    )
    enc3 = client.get(f"/v1/encounters/{ids['MRN-300']}", headers=coder).json()
    for s in enc3["suggestions"]:
        if s["proposed"]:
            body = {"action": "accept", "suggestion_id": s["id"]}
            assert (
                client.post(f"/v1/encounters/{ids['MRN-300']}/decisions", json=body, headers=coder).status_code == 201
            )
    assert client.post(f"/v1/encounters/{ids['MRN-300']}/finalize", headers=coder).status_code == 200

    page = client.get("/v1/encounters", headers=coder).json()
    assert page["counts"] == {"new": 2, "in_review": 1, "finalized": 1} and page["total"] == 4
    states = {e["external_id"]: e["review_status"] for e in page["items"]}
    assert states == {"MRN-100_A": "new", "mrn-200": "in_review", "MRN-300": "finalized", "other%1": "new"}
    for state, expected in (("new", {"MRN-100_A", "other%1"}), ("in_review", {"mrn-200"}), ("finalized", {"MRN-300"})):
        got = client.get("/v1/encounters", params={"review_status": state}, headers=coder).json()
        assert {e["external_id"] for e in got["items"]} == expected and got["total"] == len(expected)
    # search: case-insensitive "contains"; % and _ are literal; counts follow the search
    found = client.get("/v1/encounters", params={"q": "mrn"}, headers=coder).json()
    assert found["total"] == 3 and found["counts"] == {"new": 1, "in_review": 1, "finalized": 1}
    assert [
        e["external_id"] for e in client.get("/v1/encounters", params={"q": "0_a"}, headers=coder).json()["items"]
    ] == ["MRN-100_A"]
    assert client.get("/v1/encounters", params={"q": "_"}, headers=coder).json()["total"] == 1
    assert client.get("/v1/encounters", params={"q": "%"}, headers=coder).json()["total"] == 1
    both = client.get("/v1/encounters", params={"q": "mrn", "review_status": "new"}, headers=coder).json()
    assert [e["external_id"] for e in both["items"]] == ["MRN-100_A"]
    assert client.get("/v1/encounters", params={"review_status": "lost"}, headers=coder).status_code == 422
    # reopened with decisions: in review again
    client.post(f"/v1/encounters/{ids['MRN-300']}/reopen", json={"reason": "late lab result"}, headers=coder)
    again = client.get("/v1/encounters", params={"review_status": "in_review"}, headers=coder).json()
    assert {e["external_id"] for e in again["items"]} == {"mrn-200", "MRN-300"}


def test_encounter_carries_its_sections(svc):
    client, keys = svc
    coder = auth(keys["coder"])
    text = "HISTORY OF PRESENT ILLNESS: cough for a week.\n\nASSESSMENT:\nHypertension.\n"
    enc = client.post("/v1/encounters", json={"text": text}, headers=coder).json()
    got = client.get(f"/v1/encounters/{enc['id']}", headers=coder).json()
    names = [s["name"] for s in got["sections"]]
    assert len(names) == 2 and names[0] != names[1]
    for s in got["sections"]:
        assert s["header_start"] < s["header_end"] <= s["start"] <= s["end"] <= len(text)
    assert [text[s["header_start"] : s["header_end"]] for s in got["sections"]] == [
        "HISTORY OF PRESENT ILLNESS",
        "ASSESSMENT",
    ]
    assert "sections" not in enc  # the create response stays the engine result plus review state


def test_cdi_and_edits_after_a_coder_added_a_code(svc):
    """A coder's addition has no engine score; the CDI and edit routes take it as a proposed code."""
    client, keys = svc
    coder = auth(keys["coder"])
    enc = client.post("/v1/encounters", json={"text": NOTE}, headers=coder).json()
    polyp = NOTE.index("colon polyp")
    body = {"action": "add", "system": "ICD-10-CM", "code": "K63.5", "evidence": [{"start": polyp, "end": polyp + 11}]}
    assert client.post(f"/v1/encounters/{enc['id']}/decisions", json=body, headers=coder).status_code == 201
    cdi = client.get(f"/v1/encounters/{enc['id']}/cdi", headers=coder)
    assert cdi.status_code == 200, cdi.text
    assert {"gaps", "queries", "hcc", "meat"} <= set(cdi.json())
    edits = client.get(f"/v1/encounters/{enc['id']}/edits", headers=coder)
    assert edits.status_code == 200, edits.text
