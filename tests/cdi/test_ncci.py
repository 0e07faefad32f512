"""NCCI importer and edits on tiny invented PTP and MUE files (no CMS data is committed)."""

from __future__ import annotations

import datetime as dt

import pytest

from cac.cdi import prebill_edits
from cac.cdi.claim import parse_items
from cac.cdi.ncci import NcciFormatError, NcciTables

# Invented rows in the CMS layout: a preamble line, then the header, tab separated.
PTP = (
    "CPT codes and descriptions only are copyright American Medical Association. (invented test file)\n"
    "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
    "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
    "45380\t45378\t\t20100101\t*\t0\tMisuse of column two code with column one code\n"
    "29881\t29877\t\t20100101\t*\t1\tStandards of medical / surgical practice\n"
    "11042\t97597\t\t20100101\t20150101\t1\tDeleted pair\n"
)
MUE = (
    "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
    "96372,4,3 Date of Service Edit: Clinical,Clinical: Data\n"
    "J1100,10,3 Date of Service Edit: Clinical,Clinical: Data\n"
)


@pytest.fixture
def tables(tmp_path):
    (tmp_path / "ptp.txt").write_text(PTP, encoding="utf-8")
    (tmp_path / "mue.csv").write_text(MUE, encoding="utf-8")
    t = NcciTables(tmp_path / "ncci.sqlite")
    assert t.import_ptp(tmp_path / "ptp.txt") == 3
    assert t.import_mue(tmp_path / "mue.csv") == 2
    yield t
    t.close()


def test_import_reads_pairs_dates_and_units(tables):
    assert tables.counts() == {"ptp": 3, "mue": 2}
    assert tables.ptp_indicator("45380", "45378") == "0"
    assert tables.ptp_indicator("45378", "45380") is None  # pairs are ordered: column 1, column 2
    assert tables.ptp_indicator("11042", "97597", on=dt.date(2012, 6, 1)) == "1"
    assert tables.ptp_indicator("11042", "97597", on=dt.date(2020, 6, 1)) is None  # deleted in 2015
    assert tables.max_units("96372") == 4 and tables.max_units("99999") is None


def test_reimport_with_replace(tables, tmp_path):
    assert tables.import_ptp(tmp_path / "ptp.txt", replace=True) == 3
    assert tables.counts()["ptp"] == 3


def test_ptp_and_mue_edits(store, tables):
    items = parse_items(["45380", "45378", "29881", "29877", "CPT:96372*5", "K63.5"], store)
    found = {(e.kind, e.codes, e.severity) for e in tables.edits(items)}
    assert found == {
        ("ncci_ptp", ("45380", "45378"), "error"),
        ("ncci_ptp", ("29881", "29877"), "warning"),
        ("ncci_mue", ("96372",), "error"),
    }


def test_ncci_modifier_clears_an_indicator_1_pair(store, tables):
    items = parse_items(
        [{"system": "CPT", "code": "29881"}, {"system": "CPT", "code": "29877", "modifiers": ["59"]}], store
    )
    assert tables.edits(items) == []


def test_prebill_edits_use_given_tables(store, tables):
    out = prebill_edits(["45380", "45378", "K63.5"], store=store, ncci=tables)
    assert out["ncci"] is True and out["clean"] is False
    assert [e["kind"] for e in out["edits"]] == ["ncci_ptp"]


def test_unrecognised_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("code\tvalue\n1\t2\n", encoding="utf-8")
    t = NcciTables(tmp_path / "n.sqlite")
    with pytest.raises(NcciFormatError):
        t.import_ptp(bad)
    t.close()
