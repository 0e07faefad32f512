"""The annotation loader: valid documents load; each problem is named with its line and field."""

from __future__ import annotations

import json

import pytest

from evaluation.annotations import AnnotationError, load_annotations

TEXT = "No fever. Type 2 diabetes with nephropathy."


def checker(system: str, code: str):
    """Accepts E11.21 in any spelling; every other code is 'not in the release'."""
    norm = code.strip().upper().replace(".", "")
    if norm == "E1121":
        return "E11.21", None
    return None, f"{system} code {code} is not in the active release"


def write(tmp_path, records):
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def good(doc_id="dev-001", **over):
    rec = {
        "id": doc_id,
        "setting": "outpatient",
        "note_type": "progress_note",
        "text": TEXT,
        "codes": [{"system": "ICD-10-CM", "code": "e1121", "evidence": [[10, 42]]}],
        "mentions": [{"start": 0, "end": 8, "text": "No fever", "type": "problem", "assertion": "negated"}],
    }
    rec.update(over)
    return rec


def test_valid_file_loads_with_codes_normalised(tmp_path):
    docs = load_annotations(write(tmp_path, [good()]), check_code=checker)
    assert len(docs) == 1
    assert docs[0].codes[0].code == "E11.21"
    assert docs[0].codes[0].evidence == ((10, 42),)
    assert docs[0].mentions[0].assertion == "negated"


def test_every_problem_is_named_by_line_and_field(tmp_path):
    bad_mention = good("dev-002", mentions=[{"start": 0, "end": 8, "text": "No fevr", "assertion": "negated"}])
    bad_label = good("dev-003", mentions=[{"start": 0, "end": 8, "text": "No fever", "assertion": "denied"}])
    bad_code = good("dev-004", codes=[{"system": "ICD-10-CM", "code": "Z99.999", "evidence": [[0, 3]]}])
    bad_span = good("dev-005", codes=[{"system": "ICD-10-CM", "code": "E11.21", "evidence": [[40, 400]]}])
    bad_system = good("dev-006", codes=[{"system": "ICD-9", "code": "250.00"}])
    path = write(tmp_path, [good(), bad_mention, bad_label, bad_code, bad_span, "{not json", bad_system, good()])
    with pytest.raises(AnnotationError) as info:
        load_annotations(path, check_code=checker)
    problems = info.value.problems
    text = "\n".join(problems)
    assert "line 2: mentions[0].text: text[0:8] is 'No fever', not the quoted 'No fevr'" in text
    assert "line 3: mentions[0].assertion: 'denied' is not one of" in text
    assert "line 4: codes[0].code: ICD-10-CM code Z99.999 is not in the active release" in text
    assert "line 5: codes[0].evidence[0]: span [40, 400] is outside the text" in text
    assert "line 6: not valid JSON" in text
    assert "line 7: codes[0].system: 'ICD-9' is not one of" in text
    assert "line 8: id: 'dev-001' already used on line 1" in text
    assert len(problems) == 7


def test_missing_text_and_unknown_setting(tmp_path):
    path = write(tmp_path, [{"id": "x", "setting": "clinic", "codes": [], "mentions": []}])
    with pytest.raises(AnnotationError) as info:
        load_annotations(path, check_code=None)
    assert any(p.startswith("line 1: text:") for p in info.value.problems)
    assert any(p.startswith("line 1: setting: 'clinic'") for p in info.value.problems)
