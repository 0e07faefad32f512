"""The team annotated set: committed JSONL matches its YAML sources, offsets are exact, labels are complete."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ANNOTATIONS = REPO_ROOT / "annotations"
SRC = ANNOTATIONS / "src"
SPLITS = ("dev", "test")
LABELS = {"present", "negated", "possible", "historical", "family", "hypothetical"}


def _load_builder():
    spec = importlib.util.spec_from_file_location("annotations_build", ANNOTATIONS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_builder()


def _committed(split: str) -> list[dict]:
    path = ANNOTATIONS / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def fresh() -> dict[str, list[dict]]:
    return build.build(SRC, check_codes=False)


@pytest.mark.parametrize("split", SPLITS)
def test_committed_jsonl_equals_fresh_build(split: str, fresh: dict[str, list[dict]]) -> None:
    assert _committed(split) == fresh[split], f"annotations/{split}.jsonl is stale: run annotations/build.py"
    assert (ANNOTATIONS / f"{split}.jsonl").read_text(encoding="utf-8") == build.dumps(fresh[split])


@pytest.mark.parametrize("split", SPLITS)
def test_every_offset_slices_its_text(split: str) -> None:
    docs = _committed(split)
    assert docs, f"{split}.jsonl is empty"
    for doc in docs:
        text = doc["text"]
        for m in doc["mentions"]:
            assert 0 <= m["start"] < m["end"] <= len(text)
            assert text[m["start"] : m["end"]] == m["text"], (doc["id"], m)
        for code in doc["codes"]:
            assert code["evidence"], (doc["id"], code["code"])
            for start, end in code["evidence"]:
                assert 0 <= start < end <= len(text), (doc["id"], code["code"])
                assert text[start:end].strip(), (doc["id"], code["code"])


def test_evidence_offsets_point_at_the_authored_quotes() -> None:
    """The offsets of each code's first evidence item are those of the quote written in the source."""
    import yaml

    by_id = {d["id"]: d for split in SPLITS for d in _committed(split)}
    for path in sorted(SRC.glob("*.yaml")):
        for src in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            doc = by_id[src["id"]]
            for src_code, code in zip(src["codes"], doc["codes"], strict=True):
                first = src_code["evidence"][0]
                quote = first if isinstance(first, str) else first["quote"]
                start, end = code["evidence"][0]
                assert doc["text"][start:end] == quote, (src["id"], code["code"])


@pytest.mark.parametrize("split", SPLITS)
def test_every_note_has_eight_mentions(split: str) -> None:
    for doc in _committed(split):
        assert len(doc["mentions"]) >= 8, (doc["id"], len(doc["mentions"]))


@pytest.mark.parametrize("split", SPLITS)
def test_all_six_assertion_labels_occur(split: str) -> None:
    labels = {m["assertion"] for doc in _committed(split) for m in doc["mentions"]}
    assert labels == LABELS


@pytest.mark.parametrize("split", SPLITS)
def test_documents_sorted_unique_and_in_their_split(split: str) -> None:
    ids = [doc["id"] for doc in _committed(split)]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))
    assert all(i.startswith(f"{split}-") for i in ids)


def _write(tmp_path: Path, body: str) -> Path:
    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "bad.yaml").write_text(body, encoding="utf-8")
    return src


GOOD_DOC = """
- id: dev-900
  setting: outpatient
  note_type: progress_note
  text: |
    A/P: DM2 with diabetic CKD stage 3a. Denies fever.
  codes:
    - {system: ICD-10-CM, code: E11.22, evidence: ["DM2 with diabetic CKD"]}
  mentions:
    - {quote: "fever", type: problem, assertion: negated}
"""


def test_a_good_source_builds(tmp_path: Path) -> None:
    out = build.build(_write(tmp_path, GOOD_DOC), check_codes=False)
    (doc,) = out["dev"]
    assert doc["mentions"] == [
        {
            "start": doc["text"].index("fever"),
            "end": doc["text"].index("fever") + 5,
            "text": "fever",
            "type": "problem",
            "assertion": "negated",
        }
    ]
    assert out["test"] == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("assertion: negated", "assertion: denied", ["dev-900", "mentions[0]", ".assertion", "denied"]),
        ('quote: "fever"', 'quote: "chills"', ["dev-900", "mentions[0]", ".quote", "chills"]),
        ("code: E11.22", "code: E1122X", ["dev-900", "codes[0]", ".code", "malformed"]),
        ("system: ICD-10-CM", "system: ICD-9", ["dev-900", "codes[0]", ".system"]),
        ('evidence: ["DM2 with diabetic CKD"]', 'evidence: ["DM1"]', ["dev-900", "codes[0]", ".evidence[0]"]),
        ("setting: outpatient", "setting: clinic", ["dev-900", "field setting", "clinic"]),
        ("note_type: progress_note", "note_type: letter", ["dev-900", "field note_type", "letter"]),
        ("type: problem", "type: symptom", ["dev-900", "mentions[0]", ".type"]),
        ("id: dev-900", "id: train-1", ["train-1", "field id"]),
    ],
)
def test_malformed_source_names_file_id_and_field(tmp_path: Path, old: str, new: str, expected: list[str]) -> None:
    assert old in GOOD_DOC
    src = _write(tmp_path, GOOD_DOC.replace(old, new, 1))
    with pytest.raises(build.BuildError) as info:
        build.build(src, check_codes=False)
    message = str(info.value)
    assert "bad.yaml" in message
    for part in expected:
        assert part in message, (part, message)


def test_chapter_22_codes_build(tmp_path: Path) -> None:
    """U07.1 (COVID-19) and U09.9 are ICD-10-CM codes like any other: the format check takes the letter U."""
    doc = GOOD_DOC.replace("DM2 with diabetic CKD stage 3a.", "COVID-19 pneumonia.").replace(
        'code: E11.22, evidence: ["DM2 with diabetic CKD"]', 'code: U07.1, evidence: ["COVID-19"]'
    )
    (out,) = build.build(_write(tmp_path, doc))["dev"]
    assert [c["code"] for c in out["codes"]] == ["U07.1"]


def test_duplicate_id_is_rejected(tmp_path: Path) -> None:
    src = _write(tmp_path, GOOD_DOC + GOOD_DOC)
    with pytest.raises(build.BuildError, match=r"id dev-900: field id: duplicate"):
        build.build(src, check_codes=False)


def test_unbillable_icd10cm_code_is_rejected(tmp_path: Path) -> None:
    src = _write(tmp_path, GOOD_DOC.replace("code: E11.22", "code: E11.2", 1))
    with pytest.raises(build.BuildError) as info:
        build.build(src)
    assert "dev-900" in str(info.value) and "codes[0]" in str(info.value) and "billable" in str(info.value)


def test_main_writes_both_splits(tmp_path: Path) -> None:
    src = _write(tmp_path, GOOD_DOC)
    assert build.main(["--src", str(src), "--out", str(tmp_path), "--no-code-check"]) == 0
    assert len((tmp_path / "dev.jsonl").read_text().splitlines()) == 1
    assert (tmp_path / "test.jsonl").read_text() == ""
    bad = _write(tmp_path / "b", GOOD_DOC.replace("negated", "maybe"))
    assert build.main(["--src", str(bad), "--out", str(tmp_path), "--check"]) == 1


@pytest.mark.shared_data
def test_every_gold_code_exists_in_the_imported_releases(store, imported: bool) -> None:
    """With the public code-set files imported, every PCS/HCPCS code exists and every ICD-10-CM code is billable."""
    if not imported:
        pytest.skip("shared code-set files not imported")
    checker = build.default_code_checker(store)
    assert checker is not None
    for split in SPLITS:
        for doc in _committed(split):
            for code in doc["codes"]:
                assert checker(code["system"], code["code"]) is None, (doc["id"], code)
    for system, code in (("ICD-10-PCS", "0DTJ4ZZ"), ("HCPCS", "J1885")):
        assert store.is_valid(system, code)
    assert checker("ICD-10-PCS", "0DTJ4ZY") is not None
    assert checker("HCPCS", "J0000") is not None
