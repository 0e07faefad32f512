"""The built-in releases: ICD-10-CM FY2026 tabular, PCS, CPT list, CMS-HCC."""

import pytest

from cac.codesets import ICD10CM, InvalidCodeError


def test_e11_22_entry(store):
    entry = store.get("ICD-10-CM", "E11.22")
    assert entry.title == "Type 2 diabetes mellitus with diabetic chronic kidney disease"
    assert entry.billable is True
    assert entry.parent == "E11.2"
    assert any("stage of chronic kidney disease" in n and "N18" in n for n in entry.notes["use_additional_code"])
    assert [h.category for h in entry.hcc] == ["HCC37"]
    assert entry.block == "E08-E13"
    assert entry.chapter.startswith("4:")


def test_category_is_not_billable_and_carries_excludes1(store):
    entry = store.get("ICD-10-CM", "e11")
    assert entry.billable is False
    assert any("type 1 diabetes mellitus (E10.-)" in n for n in entry.notes["excludes1"])
    assert "E11.2" in entry.children


def test_notes_of_ancestors_are_inherited_with_their_source(store):
    entry = store.get("ICD-10-CM", "E11.22")
    inherited = entry.inherited_notes["excludes1"]
    assert {"from": "E11", "text": "type 1 diabetes mellitus (E10.-)"} in inherited


def test_seventh_character_codes_are_billable_entries(store):
    entry = store.get("ICD-10-CM", "S72.001A")
    assert entry.billable and entry.parent == "S72.001"
    assert "initial encounter for closed fracture" in entry.title
    defs = [n["text"] for n in entry.inherited_notes["seven_chr_def"]]
    assert any(d.startswith("A: initial encounter for closed fracture") for d in defs)


def test_release_counts(store):
    cm = next(r for r in store.releases() if r.system == ICD10CM and r.active)
    assert cm.release == "2026"
    assert cm.billable_count == 74719


def test_validation_helpers(store):
    assert store.is_valid("ICD-10-CM", "E1122")
    assert not store.is_valid("ICD-10-CM", "E11.99")
    assert not store.is_valid("ICD-10-CM", "not a code")
    assert store.is_billable("ICD-10-CM", "E11.22")
    assert not store.is_billable("ICD-10-CM", "E11.2")
    assert store.billable_descendants("ICD-10-CM", "E11.2") == ["E11.21", "E11.22", "E11.29"]
    assert store.billable_descendants("ICD-10-CM", "E11.22") == ["E11.22"]
    with pytest.raises(InvalidCodeError):
        store.billable_descendants("ICD-10-CM", "E1")


def test_one_category_blocks_keep_the_billable_category(store):
    entry = store.get("ICD-10-CM", "B20")
    assert entry.billable and entry.kind == "category"


def test_get_unknown_code_returns_none_and_malformed_raises(store):
    assert store.get("ICD-10-CM", "E11.99") is None
    with pytest.raises(InvalidCodeError):
        store.get("ICD-10-CM", "E1")


def test_builtin_cpt_list_has_our_labels(store):
    codes = {code: title for code, title, _ in store.codes("CPT")}
    assert len(codes) >= 150
    assert "45380" in codes and "colonoscopy" in codes["45380"].lower()


def test_pcs_is_available_without_imports(store):
    assert store.active_release("ICD-10-PCS") in {"2024", "2026"}
    assert store.title("ICD-10-PCS", "0DTJ4ZZ") == "Resection of Appendix, Percutaneous Endoscopic Approach"


def test_terms_cover_titles_and_inclusion_terms(store):
    terms = {(text, code, source) for text, code, source in store.terms("ICD-10-CM") if code == "I21.9"}
    assert ("Acute myocardial infarction, unspecified", "I21.9", "title") in terms
    assert ("Myocardial infarction (acute) NOS", "I21.9", "inclusion") in terms


def test_a_replaced_release_is_read_fresh_after_the_write(tmp_path):
    """Code rows are kept in memory between reads; a write through the store must not leave stale ones."""
    from cac.codesets.model import CodeRecord
    from cac.codesets.store import CodeSetStore

    store = CodeSetStore.create(tmp_path / "codes.sqlite")
    store.write_release("HCPCS", "2099-01", [CodeRecord("A0001", "First title", True)], source="test")
    assert store.title("HCPCS", "A0001") == "First title"
    assert store.is_billable("HCPCS", "A0001")
    store.write_release("HCPCS", "2099-01", [CodeRecord("A0001", "Second title", False)], source="test")
    assert store.title("HCPCS", "A0001") == "Second title"
    assert not store.is_billable("HCPCS", "A0001")
