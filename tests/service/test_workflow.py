"""The whole review workflow through the real app: create, decide, edit, add, finalise, reopen, audit, stats."""

from __future__ import annotations

from tests.service.conftest import NOTE, auth


def _by_code(result):
    return {(s["system"], s["code"]): s for s in result["suggestions"]}


def test_full_workflow(svc):
    client, keys = svc
    coder, auditor = auth(keys["coder"]), auth(keys["auditor"])

    r = client.post(
        "/v1/encounters", json={"text": NOTE, "setting": "outpatient", "external_id": "ext-1"}, headers=coder
    )
    assert r.status_code == 201, r.text
    created = r.json()
    enc = created["encounter_id"]
    # interfaces.md section 2 shape, plus the encounter id and review state
    assert set(created) >= {"threshold", "codeset_versions", "suggestions", "mentions", "encounter_id"}
    assert created["engine_version"] == "fake-1"
    assert created["codeset_versions"]["ICD-10-CM"] == "2026"
    sugg = _by_code(created)
    assert [s["code"] for s in created["suggestions"]] == ["E11.22", "45378", "I10", "N18.9", "R51.9"]
    e1122 = sugg[("ICD-10-CM", "E11.22")]
    start = NOTE.index("type 2 diabetes")
    assert e1122["evidence"] == [{"start": start, "end": start + 52, "text": NOTE[start : start + 52]}]
    assert NOTE[start : start + 52].endswith("chronic kidney disease")
    assert e1122["status"] == "pending" and e1122["proposed"] is True
    assert sugg[("ICD-10-CM", "R51.9")]["proposed"] is False

    def decide(body, expect=201):
        resp = client.post(f"/v1/encounters/{enc}/decisions", json=body, headers=coder)
        assert resp.status_code == expect, resp.text
        return resp.json()

    assert decide({"action": "accept", "suggestion_id": e1122["id"]})["suggestion"]["status"] == "accepted"
    edited = decide(
        {"action": "edit", "suggestion_id": sugg[("ICD-10-CM", "I10")]["id"], "system": "icd10cm", "code": "i129"}
    )
    assert edited["decision"]["code"] == "I12.9" and edited["decision"]["evidence"][0]["text"] == "Hypertension"
    decide(
        {
            "action": "reject",
            "suggestion_id": sugg[("ICD-10-CM", "N18.9")]["id"],
            "reason": "not_documented",
            "comment": "stage not documented, query sent",
        }
    )
    polyp = NOTE.index("colon polyp")
    added = decide(
        {"action": "add", "system": "ICD-10-CM", "code": "K63.5", "evidence": [{"start": polyp, "end": polyp + 11}]}
    )
    assert added["suggestion"]["origin"] == "coder" and added["decision"]["evidence"][0]["text"] == "colon polyp"

    # a proposed suggestion is still undecided: no finalising yet
    r = client.post(f"/v1/encounters/{enc}/finalize", headers=coder)
    assert r.status_code == 409 and "45378" in r.json()["detail"]

    decide({"action": "accept", "suggestion_id": sugg[("CPT", "45378")]["id"], "diagnosis_links": ["K635"]})
    r = client.post(f"/v1/encounters/{enc}/finalize", json={"diagnosis_order": ["I12.9"]}, headers=coder)
    assert r.status_code == 200, r.text
    final = r.json()
    assert [d["code"] for d in final["diagnoses"]] == ["I12.9", "E11.22", "K63.5"]
    assert [d["sequence"] for d in final["diagnoses"]] == [1, 2, 3]
    (proc,) = final["procedures"]
    assert (proc["code"], proc["linked_diagnoses"], proc["diagnosis_pointers"], proc["link_source"]) == (
        "45378",
        ["K63.5"],
        [3],
        "coder",
    )

    # locked: no decisions, no second finalise
    assert decide({"action": "accept", "suggestion_id": e1122["id"]}, expect=409)["detail"].startswith("encounter")
    assert client.post(f"/v1/encounters/{enc}/finalize", headers=coder).status_code == 409
    got = client.get(f"/v1/encounters/{enc}", headers=auditor).json()
    assert got["status"] == "finalized" and got["final"]["diagnoses"][0]["code"] == "I12.9"
    assert got["text"] == NOTE

    # explicit, audited reopen; then replace the CPT code and let the link come from the nearest evidence
    r = client.post(f"/v1/encounters/{enc}/reopen", json={"reason": "biopsy was taken, see path"}, headers=coder)
    assert r.status_code == 200 and r.json()["status"] == "open"
    decide({"action": "edit", "suggestion_id": sugg[("CPT", "45378")]["id"], "system": "CPT", "code": "45380"})
    final2 = client.post(f"/v1/encounters/{enc}/finalize", headers=coder).json()
    assert [d["code"] for d in final2["diagnoses"]] == ["E11.22", "I12.9", "K63.5"]
    (proc,) = final2["procedures"]
    assert (proc["code"], proc["linked_diagnoses"], proc["link_source"]) == ("45380", ["K63.5"], "nearest_evidence")

    # the audit trail tells who did what, when, before and after
    events = client.get(f"/v1/encounters/{enc}/audit", headers=auditor).json()["events"]
    assert [e["action"] for e in events] == [
        "encounter.create",
        "decision.accept",
        "decision.edit",
        "decision.reject",
        "decision.add",
        "decision.accept",
        "encounter.finalize",
        "encounter.reopen",
        "decision.edit",
        "encounter.finalize",
    ]
    assert all(e["actor"] == "coder-user" and e["role"] == "coder" and e["at"] for e in events)
    assert events[0]["after"]["note_chars"] == len(NOTE) and "Hypertension" not in str(events[0])
    assert events[2]["before"] == {"status": "pending", "system": "ICD-10-CM", "code": "I10"}
    assert events[2]["after"]["code"] == "I12.9" and events[2]["after"]["original"] == "ICD-10-CM I10"
    assert events[3]["after"]["reason"] == "not_documented"
    assert events[4]["after"]["evidence"] == [{"start": polyp, "end": polyp + 11, "text": "colon polyp"}]
    assert events[7]["before"]["final"]["procedures"][0]["code"] == "45378"
    assert events[7]["after"] == {"status": "open", "reason": "biopsy was taken, see path"}
    assert events[8]["before"]["status"] == "accepted" and events[8]["after"]["code"] == "45380"

    # across encounters: every rejection by this coder, with its reason
    trail = client.get("/v1/audit", params={"actor": "coder-user", "action": "decision.reject"}, headers=auditor).json()
    assert trail["total"] == 1 and trail["items"][0]["after"]["code"] == "N18.9"
    assert client.get("/v1/audit", params={"limit": 3}, headers=auditor).json()["total"] >= 14
    assert client.get("/v1/audit", params={"to": "2020-01-01"}, headers=auditor).json()["total"] == 0

    # acceptance: E11.22 accepted, I10 edited, N18.9 rejected, CPT 45378 edited; K63.5 added; R51.9 undecided
    stats = client.get("/v1/stats", headers=auditor).json()
    cm = stats["by_system"]["ICD-10-CM"]
    assert (cm["decided"], cm["accepted"], cm["edited"], cm["rejected"]) == (3, 1, 1, 1)
    assert cm["acceptance_rate"] == round(1 / 3, 4)
    assert stats["by_system"]["CPT"]["acceptance_rate"] == 0.0
    assert stats["overall"]["decided"] == 4
    assert stats["reject_reasons"] == {"not_documented": 1}
    assert stats["added_by_coder"] == {"ICD-10-CM": 1}
    assert stats["frequent_edits"] == {"ICD-10-CM I10 -> ICD-10-CM I12.9": 1, "CPT 45378 -> CPT 45380": 1}
    codes = {(c["system"], c["code"]): c for c in stats["by_code"]}
    assert codes[("ICD-10-CM", "E11.22")]["acceptance_rate"] == 1.0
    assert codes[("ICD-10-CM", "N18.9")]["rejection_rate"] == 1.0
    # a period that ended before anything was decided counts nothing
    empty = client.get("/v1/stats", params={"from": "2020-01-01", "to": "2020-02-01"}, headers=auditor).json()
    assert empty["overall"]["decided"] == 0 and empty["overall"]["acceptance_rate"] is None


def test_list_paging_and_status(svc):
    client, keys = svc
    coder = auth(keys["coder"])
    ids = [
        client.post("/v1/encounters", json={"text": NOTE, "external_id": f"x{i}"}, headers=coder).json()["id"]
        for i in range(3)
    ]
    page = client.get("/v1/encounters", params={"limit": 2}, headers=coder).json()
    assert page["total"] == 3 and [e["id"] for e in page["items"]] == ids[::-1][:2]
    page2 = client.get("/v1/encounters", params={"limit": 2, "offset": 2}, headers=coder).json()
    assert [e["id"] for e in page2["items"]] == [ids[0]]
    # finalise one (decide its proposed suggestions first)
    enc = client.get(f"/v1/encounters/{ids[1]}", headers=coder).json()
    for s in enc["suggestions"]:
        if s["proposed"]:
            body = {"action": "reject", "suggestion_id": s["id"], "reason": "other", "comment": "test"}
            assert client.post(f"/v1/encounters/{ids[1]}/decisions", json=body, headers=coder).status_code == 201
    final = client.post(f"/v1/encounters/{ids[1]}/finalize", headers=coder).json()
    assert final["diagnoses"] == [] and "no diagnosis codes in the final code set" in final["warnings"]
    done = client.get("/v1/encounters", params={"status": "finalized"}, headers=coder).json()
    assert done["total"] == 1 and done["items"][0]["id"] == ids[1]
    assert client.get("/v1/encounters", params={"status": "open"}, headers=coder).json()["total"] == 2
    by_ext = client.get("/v1/encounters", params={"external_id": "x2"}, headers=coder).json()
    assert [e["id"] for e in by_ext["items"]] == [ids[2]]
    assert client.get("/v1/encounters", params={"status": "lost"}, headers=coder).status_code == 422


def test_concurrent_writers_do_not_race(svc):
    """Read-check-write steps are atomic: of 6 simultaneous identical additions exactly one lands."""
    from concurrent.futures import ThreadPoolExecutor

    client, keys = svc
    coder = auth(keys["coder"])
    enc = client.post("/v1/encounters", json={"text": NOTE}, headers=coder).json()
    polyp = NOTE.index("colon polyp")
    body = {"action": "add", "system": "ICD-10-CM", "code": "K63.5", "evidence": [{"start": polyp, "end": polyp + 11}]}

    def add(_):
        return client.post(f"/v1/encounters/{enc['id']}/decisions", json=body, headers=coder).status_code

    with ThreadPoolExecutor(6) as pool:
        codes = sorted(pool.map(add, range(6)))
    assert codes == [201, 409, 409, 409, 409, 409]
    got = client.get(f"/v1/encounters/{enc['id']}", headers=coder).json()
    assert [s["code"] for s in got["suggestions"] if s["origin"] == "coder"] == ["K63.5"]
