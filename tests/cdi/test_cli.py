"""``cac cdi``, ``cac edits`` and ``cac ncci`` as a user runs them (on an app holding just these commands)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from cac.cli import cdi

app = typer.Typer()
app.command("cdi")(cdi.cdi)
app.command("edits")(cdi.edits)
app.add_typer(cdi.ncci_app, name="ncci")
runner = CliRunner()


def test_edits_json_and_exit_code(store):
    result = runner.invoke(app, ["edits", "O80", "Z37.0", "--sex", "M", "--age", "31", "--json", "--no-ncci"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert {(e["kind"], e["codes"][0]) for e in data["edits"]} == {("sex", "O80"), ("sex", "Z37.0")}
    clean = runner.invoke(app, ["edits", "E11.22", "I12.9", "N18.31", "--no-ncci"])
    assert clean.exit_code == 0 and "passes" in clean.stdout


def test_edits_from_json(store, tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"codes": ["F02.80", "G30.9"]}), encoding="utf-8")
    result = runner.invoke(app, ["edits", "--from-json", str(path), "--json", "--no-ncci"])
    kinds = [e["kind"] for e in json.loads(result.stdout)["edits"]]
    assert kinds == ["manifestation_first", "code_first"]


def test_edits_bad_input_is_one_line(store):
    result = runner.invoke(app, ["edits", "E11.2Q?", "--no-ncci"])
    assert result.exit_code == 2 and "bad code set item" in result.output and "Traceback" not in result.output
    assert runner.invoke(app, ["edits", "I10", "--sex", "X"]).exit_code == 2
    assert runner.invoke(app, ["edits"]).exit_code == 2


def test_ncci_import_then_edits(store, tmp_path, monkeypatch):
    import cac.cdi.ncci

    monkeypatch.setattr(cac.cdi.ncci, "default_path", lambda: tmp_path / "ncci.sqlite")
    ptp = tmp_path / "ptp.csv"
    ptp.write_text(
        "Column 1,Column 2,*,Effective Date,Deletion Date,Modifier,Rationale\n45380,45378,,20100101,*,0,x\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["ncci", "import-ptp", str(ptp)])
    assert out.exit_code == 0 and "imported 1 PTP pairs" in out.stdout
    result = runner.invoke(app, ["edits", "45380", "45378", "K63.5", "--json"])
    data = json.loads(result.stdout)
    assert data["ncci"] is True and [e["kind"] for e in data["edits"]] == ["ncci_ptp"]


@pytest.mark.slow
def test_cdi_on_a_note(store, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(
        "ASSESSMENT AND PLAN:\n1. Congestive heart failure - echo today shows EF 30%. Continue furosemide.\n"
        "2. Chronic kidney disease - eGFR 38. Recheck BMP in 2 weeks.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["cdi", str(note), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"codes", "gaps", "queries", "hcc", "meat"}
    queried = {q["code"]: q for q in report["queries"]}
    proposed = {c["code"] for c in report["codes"]}
    if "N18.9" in proposed:
        assert "ckd_stage" in queried["N18.9"]["axes"]
        assert any(i["span"]["text"] == "eGFR 38" for i in queried["N18.9"]["indicators"])
    if "I50.9" in proposed:
        assert "hf_type" in queried["I50.9"]["axes"]
    assert proposed & {"N18.9", "I50.9"}, proposed
    text = runner.invoke(app, ["cdi", str(note)])
    assert text.exit_code == 0 and "Query 1" in text.stdout and "Clinically undetermined" in text.stdout
