"""Input readers: each kind yields the right ids, texts, settings and note types; bad records become errors."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from cac.batch.readers import Document, ReadError, input_kind, read_documents


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_annotation_format_keeps_setting_and_note_type(tmp_path: Path) -> None:
    rec = {"id": "dev-001", "setting": "inpatient", "note_type": "discharge_summary", "text": "CHF.", "codes": []}
    path = _write(tmp_path / "a.jsonl", [json.dumps(rec), json.dumps({"id": 7, "text": "Cough."})])
    assert list(read_documents(path)) == [
        Document("dev-001", "CHF.", "inpatient", "discharge_summary"),
        Document("7", "Cough."),
    ]


def test_jsonl_bad_lines_become_errors_and_reading_goes_on(tmp_path: Path) -> None:
    lines = [
        "{broken",
        json.dumps({"text": "no id"}),
        json.dumps({"id": "x", "text": 3}),
        json.dumps({"id": "ok", "text": "t"}),
    ]
    items = list(read_documents(_write(tmp_path / "b.jsonl", lines)))
    assert [type(i) for i in items] == [ReadError, ReadError, ReadError, Document]
    assert [i.id for i in items] == ["line 1", "line 2", "x", "ok"]
    assert "not JSON" in items[0].reason and "'id'" in items[1].reason and "'text'" in items[2].reason


def test_duplicate_id_is_an_error_first_kept(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "a", "text": "one"}), json.dumps({"id": "a", "text": "two"})]
    items = list(read_documents(_write(tmp_path / "d.jsonl", lines)))
    assert items[0] == Document("a", "one")
    assert isinstance(items[1], ReadError) and items[1].id == "a" and "duplicate" in items[1].reason


def test_csv_finds_text_and_id_columns(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write('note_id,transcription,setting\n1,"Chest pain, no fever.",emergency\n2,"Cough.",\n')
    assert list(read_documents(path)) == [Document("1", "Chest pain, no fever.", "emergency"), Document("2", "Cough.")]


def test_csv_explicit_columns_and_row_ids(tmp_path: Path) -> None:
    path = _write(tmp_path / "n.csv", ["body,other", "Asthma.,x", "Gout.,y"])
    assert [d.id for d in read_documents(path, text_column="body")] == ["row-1", "row-2"]
    with pytest.raises(ValueError, match="no text column"):
        list(read_documents(path))
    with pytest.raises(ValueError, match="no id column 'nope'"):
        list(read_documents(path, text_column="body", id_column="nope"))


def test_folder_of_txt_ids_are_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("\ufeffHypertension.", encoding="utf-8")
    (tmp_path / "sub" / "a.txt").write_text("Asthma.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe not utf8")
    (tmp_path / "skip.md").write_text("not a note", encoding="utf-8")
    items = list(read_documents(tmp_path))
    assert input_kind(tmp_path) == "folder"
    assert [items[0], items[2]] == [Document("b", "Hypertension."), Document("sub/a", "Asthma.")]
    assert isinstance(items[1], ReadError) and items[1].id == "bad" and "not UTF-8" in items[1].reason


def _docref(doc_id: str, text: str | None, loinc: str = "18842-5", **extra: object) -> str:
    res: dict[str, object] = {
        "resourceType": "DocumentReference",
        "id": doc_id,
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(text.encode()).decode(),
                }
            }
        ]
        if text is not None
        else [{"attachment": {"contentType": "application/pdf", "url": "http://x/y.pdf"}}],
    }
    res.update(extra)
    return json.dumps(res)


def test_fhir_documentreference_text_and_loinc_note_type(tmp_path: Path) -> None:
    lines = [
        _docref("d1", "Discharge diagnosis: pneumonia."),
        _docref("d2", "Knee arthroscopy.", loinc="11504-8"),
        _docref("d3", None),
        json.dumps({"resourceType": "Patient", "id": "p1"}),
        _docref("d4", "Oops.", status="entered-in-error"),
    ]
    path = _write(tmp_path / "docs.ndjson", lines)
    assert input_kind(path) == "fhir"
    items = list(read_documents(path))
    assert items[0] == Document("d1", "Discharge diagnosis: pneumonia.", None, "discharge_summary")
    assert items[1] == Document("d2", "Knee arthroscopy.", None, "operative_report")
    assert isinstance(items[2], ReadError) and "application/pdf" in items[2].reason
    assert isinstance(items[3], ReadError) and "Patient" in items[3].reason
    assert isinstance(items[4], ReadError) and items[4].id == "d4"


def test_unknown_input_kind(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown input kind"):
        list(read_documents(_write(tmp_path / "x.docx", ["?"])))
