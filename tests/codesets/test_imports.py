"""Imports of the real release files in ../shared/data, and the store's atomicity."""

import shutil

import pytest

from cac.codesets import CodeSetStore, ImportFailedError, import_codeset
from tests.conftest import shared_path


def test_index_import_finds_heart_attack(store, imported):
    shared_path("codesets", "icd10cm-index-2025")
    index = next(r for r in store.releases() if r.system == "ICD-10-CM index" and r.active)
    assert index.release == "2025" and index.code_count > 90000
    hits = store.search("heart attack", system="ICD-10-CM", limit=3)
    assert "I21.9" in [h.code for h in hits]
    assert any("Attack, attacks > heart" in t for t in store.get("ICD-10-CM", "I21.9").index_terms)


def test_pcs_2026_import(store, imported):
    shared_path("codesets", "icd10pcs-2026")
    pcs = next(r for r in store.releases() if r.system == "ICD-10-PCS" and r.active)
    assert (pcs.release, pcs.code_count) == ("2026", 79115)
    assert store.get("ICD-10-PCS", "0DTJ4ZZ").title == "Resection of Appendix, Percutaneous Endoscopic Approach"


def test_hcpcs_import(store, imported):
    shared_path("codesets", "hcpcs-2025-oct")
    hcpcs = next(r for r in store.releases() if r.system == "HCPCS" and r.active)
    assert hcpcs.release == "2025-10" and hcpcs.code_count >= 8400
    assert store.get("HCPCS", "J1885").title == "Injection, ketorolac tromethamine, per 15 mg"


@pytest.fixture
def private_store(store, tmp_path):
    """A copy of the session store that a test may damage."""
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / "codesets.sqlite"
    shutil.copy(store.path, path)
    copy = CodeSetStore(path)
    yield copy
    copy.close()


def test_failed_import_leaves_store_intact(private_store, tmp_path):
    before = [r.to_dict() for r in private_store.releases()]
    bad = tmp_path / "HCPC2030_JAN_ANWEB.csv"
    bad.write_text("Code,Description1\nA9999001003,Invented ok record\nthis is not a record,x\n")
    with pytest.raises(ImportFailedError):
        import_codeset(private_store, "hcpcs", bad)
    assert [r.to_dict() for r in private_store.releases()] == before
    assert private_store.title("HCPCS", "A9999") != "Invented ok record"


def test_missing_path_is_a_clear_error(private_store, tmp_path):
    with pytest.raises(ImportFailedError, match="no such file"):
        import_codeset(private_store, "icd10pcs", tmp_path / "nowhere")


def test_cpt_import_makes_licensed_release_active(private_store):
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "cpt_invented.csv"
    info = import_codeset(private_store, "cpt", fixture, release="test-2026")
    assert info.active and info.code_count == 3
    assert private_store.get("CPT", "47562").title.startswith("INVENTED TEST TEXT")
    assert private_store.active_release("CPT") == "test-2026"
