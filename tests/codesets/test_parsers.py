"""Importers on small invented inputs (no licensed or shared text)."""

import gzip
from pathlib import Path

import pytest

from cac.codesets import ImportFailedError, cpt, hcpcs, icd10pcs, index

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_hcpcs_csv_joins_continuation_records():
    text = (
        "Code,Description1,Description2,Type\n"
        'X1234001003,"Invented supply, first part of a long",Invented supply short       99  A,,\n'
        "X1234002004,description that continues here,,\n"
        "ZZ001007,Invented modifier text,Inv mod,,\n"
        "ZZ002008,continued,,\n"
    ).replace("X1234", "A9999")
    records = {r.code: r for r in hcpcs.parse_csv(text, "test")}
    assert records["A9999"].title == "Invented supply, first part of a long description that continues here"
    assert records["A9999"].billable and records["A9999"].kind == "code"
    assert ("short_title", "Invented supply short") in records["A9999"].notes
    assert records["ZZ"].kind == "modifier" and not records["ZZ"].billable
    assert records["ZZ"].title == "Invented modifier text continued"


def test_hcpcs_fixed_width_records():
    line1 = "A9999" + "00100" + "3" + "Invented long text".ljust(80) + "Invented short".ljust(28)
    line2 = "A9999" + "00200" + "4" + "and more words".ljust(80)
    records = hcpcs.parse_fixed(line1 + "\n" + line2 + "\n", "test")
    assert records[0].title == "Invented long text and more words"


def test_hcpcs_rejects_non_anweb_csv():
    with pytest.raises(ImportFailedError, match="line 2"):
        hcpcs.parse_csv("Code,Description\nnot-a-key,whatever\n", "bad.csv")


def test_hcpcs_release_from_file_name():
    assert hcpcs.release_from_name("HCPC2025_OCT_ANWEB.csv.gz") == "2025-10"


def test_pcs_code_and_order_files():
    codes = icd10pcs.parse("0DTJ4ZZ Invented title for a test\n", "t")
    assert (codes[0].code, codes[0].title) == ("0DTJ4ZZ", "Invented title for a test")
    order_line = "00001 0DT     0 " + "Short header".ljust(60) + " Long header"
    code_line = "00002 0DTJ4ZZ 1 " + "Invented short".ljust(60) + " Invented long title"
    records = icd10pcs.parse(order_line + "\n" + code_line + "\n", "t")
    assert [(r.code, r.title) for r in records] == [("0DTJ4ZZ", "Invented long title")]


def test_pcs_garbage_is_rejected():
    with pytest.raises(ImportFailedError):
        icd10pcs.parse("\n".join(f"line {i} of prose" for i in range(50)), "prose.txt")


def test_cpt_import_accepts_documented_columns():
    records = cpt.parse((FIXTURES / "cpt_invented.csv").read_text(), "fixture")
    assert [r.code for r in records] == ["45380", "47562", "0999T"]
    assert records[0].title.startswith("INVENTED TEST TEXT")


def test_cpt_import_accepts_headerless_code_text_lines():
    records = cpt.parse("45380\tInvented text one\n47562 Invented text two\n", "plain")
    assert [(r.code, r.title) for r in records] == [
        ("45380", "Invented text one"),
        ("47562", "Invented text two"),
    ]


def test_cpt_import_rejects_bad_code():
    with pytest.raises(ImportFailedError, match="line 2"):
        cpt.parse("code,description\n12AB,bad\n", "bad.csv")


INDEX_CSV = """RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code
1,A,0,"Attack, attacks",,,,
2,A,1,heart,"Infarct, myocardium",,,
3,A,1,panic,,,,F41.0
4,I,0,"Infarct, infarction",,,,
5,I,1,"myocardium, myocardial",,,(acute),I21.9
6,I,2,with,,,,
7,I,3,coronary microvascular disease,,,,I21.B
"""


def test_index_csv_tree_and_see_resolution():
    rows = index.parse_csv(INDEX_CSV, "t")
    by_id = {r.id: r for r in rows}
    assert by_id[7].path == "Infarct, infarction > myocardium, myocardial > with > coronary microvascular disease"
    assert by_id[7].parent_id == 6 and by_id[6].parent_id == 5
    assert by_id[5].nonessential == "(acute)"
    assert index.resolve_see_references(rows) == 1
    assert by_id[2].code == "I21.9" and by_id[2].resolved_from == "see Infarct, myocardium"


def test_index_csv_note_rows_are_not_subterms():
    text = (
        "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n"
        '1,F,0,"Failure, failed",,,,\n'
        "2,F,1,heart,,,,I50.9\n"
        "3,F,2,diastolic,,,,I50.30\n"
        '4,F,1,"Note: heart failure stages A, B, C, and D are ...",,,,\n'
        "5,F,2,systolic,,,(congestive),I50.20\n"
    )
    rows = index.parse_csv(text, "t")
    assert not any(r.term.lower().startswith("note:") for r in rows)
    systolic = next(r for r in rows if r.term == "systolic")
    assert systolic.path == "Failure, failed > heart > systolic"


INDEX_XML = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.index><version>2025</version>
<indexHeading><head col="1">Neoplasm</head><head col="2">Malignant Primary</head>
<head col="3">Malignant Secondary</head></indexHeading>
<letter><title>N</title>
<mainTerm><title>Neoplasm<nemod>(invented)</nemod></title><cell col="2">C80.1</cell><cell col="3">--</cell>
<term level="1"><title>breast</title><cell col="2">C50.9-</cell><cell col="3">C79.81</cell></term>
</mainTerm></letter></ICD10CM.index>"""


def test_index_xml_table_cells_carry_their_column():
    rows = index.parse_xml(INDEX_XML, "t", table="neoplasm")
    cells = [(r.path, r.column, r.code) for r in rows if r.column]
    assert ("Neoplasm > breast", "Malignant Primary", "C50.9") in cells
    assert ("Neoplasm > breast", "Malignant Secondary", "C79.81") in cells
    assert all(code != "--" for _p, _c, code in cells)
    assert rows[0].nonessential == "(invented)"


def test_malformed_xml_is_one_clear_error():
    with pytest.raises(ImportFailedError, match="malformed XML"):
        index.parse_xml("<ICD10CM.index><letter>", "broken.xml")


def test_reading_rejects_wrong_encoding_and_corrupt_gzip(tmp_path):
    from cac.codesets.reading import read_text

    latin = tmp_path / "latin1.txt"
    latin.write_bytes("0DTJ4ZZ R\xe9section invent\xe9e\n".encode("latin-1"))
    with pytest.raises(ImportFailedError, match="not valid utf-8"):
        read_text(latin)
    assert "Résection" in read_text(latin, "latin-1")
    broken = tmp_path / "codes.txt.gz"
    broken.write_bytes(gzip.compress(b"0DTJ4ZZ text\n")[:20])
    with pytest.raises(ImportFailedError, match="corrupt"):
        read_text(broken)
