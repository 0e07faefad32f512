"""Runners end to end on tiny synthetic inputs with fake engines and fake NLP callables."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from evaluation.annotations import Document, GoldCode, GoldMention
from evaluation.baselines import TermMatchBaseline
from evaluation.bioscope import evaluate_bioscope, load_sentences
from evaluation.codiesp import evaluate_codiesp, load_split, write_submission
from evaluation.negex import evaluate_negex, load_pairs, locate
from evaluation.report import ReportData, ScoredDoc, write_report
from evaluation.run_annotations import evaluate_annotations

approx = pytest.approx


class FakeEngine:
    """Returns a canned result per note text."""

    threshold = 0.5

    def __init__(self, results: dict[str, list[dict]], mentions: dict[str, list[dict]] | None = None) -> None:
        self.results = results
        self.mentions = mentions or {}
        self.calls: list[tuple[str, str]] = []

    def suggest(self, text: str, setting: str = "outpatient", note_type: str | None = None) -> dict:
        self.calls.append((text, setting))
        return {
            "threshold": self.threshold,
            "codeset_versions": {},
            "suggestions": self.results.get(text, []),
            "mentions": self.mentions.get(text, []),
        }


def sug(system, code, score, *spans):
    return {
        "system": system,
        "code": code,
        "title": "",
        "score": score,
        "evidence": [{"start": s, "end": e, "text": ""} for s, e in spans],
        "assertion": "present",
        "rationale": "",
        "flags": [],
    }


def test_annotations_runner_scores_codes_evidence_and_assertions():
    text = "No fever. DM2 with nephropathy. Colonoscopy done."
    doc = Document(
        "d1",
        text,
        codes=[GoldCode("ICD-10-CM", "E11.21", ((10, 30),)), GoldCode("CPT", "45378", ((32, 43),))],
        mentions=[
            GoldMention(0, 8, "No fever", "problem", "negated"),
            GoldMention(10, 13, "DM2", "problem", "present"),
        ],
    )
    engine = FakeEngine(
        {
            text: [
                sug("ICD-10-CM", "E11.21", 0.9, (10, 13)),
                sug("ICD-10-CM", "R50.9", 0.6, (3, 8)),
                sug("CPT", "45378", 0.3, (32, 43)),
            ]
        },
        {text: [{"start": 3, "end": 8, "text": "fever", "type": "problem", "assertion": "negated"}]},
    )
    out, _ = evaluate_annotations(engine, [doc])
    codes = out["codes"]
    # proposed (score >= .5): E11.21 (tp), R50.9 (fp); CPT 45378 is below threshold (fn)
    assert codes["all"]["precision"] == approx(0.5) and codes["all"]["recall"] == approx(0.5)
    # ranked: E11.21 (hit at 1), R50.9, 45378 (hit at 3): AP = (1 + 2/3) / 2
    assert codes["all"]["map"] == approx((1 + 2 / 3) / 2)
    assert codes["all"]["recall_at_10"] == approx(1.0)
    assert codes["by_system"]["CPT"]["recall"] == 0.0 and codes["by_system"]["CPT"]["map"] == approx(1.0)
    assert codes["by_system"]["ICD-10-CM"]["precision"] == approx(0.5)
    assert set(codes["by_system"]) == {"ICD-10-CM", "ICD-10-PCS", "CPT", "HCPCS"}
    # macro over E11.21 (1), R50.9 (0), 45378 (0)
    assert codes["macro_f1"] == approx(1 / 3)
    # the one true-positive code's evidence (10,13) overlaps gold (10,30)
    assert out["evidence"]["precision"] == 1.0 and out["evidence"]["recall"] == 1.0
    # "fever" matches the negated gold mention; "DM2" has no predicted mention
    assert out["assertion"]["mention_recall"] == approx(0.5)
    assert out["assertion"]["accuracy"] == 1.0
    assert out["assertion"]["labels"]["negated"]["support"] == 1
    assert set(out["throughput"]) == {"notes_per_second", "ms_per_note_p50", "ms_per_note_p95", "peak_rss_mb"}
    assert engine.calls[-1] == (text, "outpatient")  # after one untimed warm-up call


def make_codiesp(tmp_path):
    root = tmp_path / "codiesp" / "dev"
    (root / "text_files_en").mkdir(parents=True)
    (root / "text_files_en" / "a.txt").write_text("note a", encoding="utf-8")
    (root / "text_files_en" / "b.txt").write_text("note b", encoding="utf-8")
    (root / "text_files_en" / "c.txt").write_text("note c", encoding="utf-8")
    (root / "devD.tsv").write_text("a\te11.9\na\ti10\nb\tr50.9\nb\tzz9.99\n", encoding="utf-8")
    (root / "devP.tsv").write_text("a\t0dtj\nb\t0dtj4zz\n", encoding="utf-8")
    return tmp_path / "codiesp"


VALID = {("ICD-10-CM", "E11.9"), ("ICD-10-CM", "I10"), ("ICD-10-CM", "R50.9"), ("ICD-10-CM", "J18.9")}


def test_codiesp_runner_task_d(tmp_path):
    docs = load_split(make_codiesp(tmp_path), "dev", "D")
    assert [d.id for d in docs] == ["a", "b", "c"]
    engine = FakeEngine(
        {
            "note a": [
                sug("ICD-10-CM", "J18.9", 0.9),
                sug("ICD-10-CM", "e11.9", 0.8),
                sug("ICD-10-PCS", "0DTJ4ZZ", 0.9),
            ],
            "note b": [sug("ICD-10-CM", "Q99.9", 0.9), sug("ICD-10-CM", "R509", 0.4)],
        }
    )
    out, ranked = evaluate_codiesp(engine, docs, "D", lambda s, c: (s, c) in VALID)
    # Q99.9 is not valid here: dropped before ranking, so R50.9 is rank 1 in b
    assert ranked == {"a": ["J18.9", "E11.9"], "b": ["R50.9"], "c": []}
    # AP(a) = (1/2)/2 ; AP(b) = 1/1 (gold b has R50.9 and an invalid code ZZ9.99 -> 2 gold codes: 1/2)
    assert out["map"] == approx((0.25 + 0.5) / 2)
    # proposed: a {J18.9, E11.9}, b {} (R50.9 below threshold) -> tp 1 fp 1 fn 3
    assert out["precision"] == approx(0.5) and out["recall"] == approx(1 / 4)
    assert out["gold_codes_invalid_share"] == approx(1 / 4)
    assert out["documents"] == 3
    assert all(call[1] == "inpatient" for call in engine.calls)
    sub = tmp_path / "pred.tsv"
    write_submission(sub, ranked)
    assert sub.read_text().splitlines() == ["a\tj18.9", "a\te11.9", "b\tr50.9"]


def test_codiesp_runner_task_p_prefix_rule(tmp_path):
    docs = load_split(make_codiesp(tmp_path), "dev", "P", limit=2)
    engine = FakeEngine({"note a": [sug("ICD-10-PCS", "0DTJ4ZZ", 0.9)], "note b": [sug("ICD-10-PCS", "0DTJ4ZZ", 0.9)]})
    out, _ = evaluate_codiesp(engine, docs, "P", lambda s, c: True)
    # official rule: exact match only -> a misses its 4-character gold code, b hits
    assert out["map"] == approx(0.5) and out["precision"] == approx(0.5)
    # prefix rule credits 0DTJ4ZZ for gold 0DTJ in a
    assert out["prefix_match"]["map"] == approx(1.0) and out["prefix_match"]["precision"] == approx(1.0)


def test_negex_runner(tmp_path):
    path = tmp_path / "negex.txt"
    rows = [
        "line number\tCondition\tsentence\tnegation_status\ttemporality\texperiencer",
        "1\tedema\tExtremities reveal no peripheral cyanosis or EDEMA.\tNegated\tRecent\tPatient",
        "2\tchest  pain\tHistory of chest pain in 2001.\tAffirmed\tHistorical\tPatient",
        "3\tcough\tPatient has a cough.\tAffirmed\tRecent\tPatient",
        "4\tfever\tDenies chills.\tNegated\tRecent\tPatient",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    pairs = load_pairs(path)
    assert len(pairs) == 4
    assert locate("chest  pain", "History of chest pain in 2001.") == (11, 21)

    @dataclass
    class Result:
        label: str

    seen = []

    def fake(sentence, start, end):
        seen.append(sentence[start:end])
        low = sentence.lower()
        if "no " in low:
            return Result("negated")
        return Result("historical" if "history" in low else "negated")

    out = evaluate_negex(pairs, fake)
    assert seen == ["EDEMA", "chest pain", "cough"]
    assert out["pairs"] == 3 and out["condition_not_found"] == 1
    # negated: gold [T, F, F], predicted [T, F, T] -> P .5 R 1
    assert out["negated"] == approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3})
    assert out["accuracy"] == approx(2 / 3)
    assert out["historical"] == approx({"precision": 1.0, "recall": 1.0, "f1": 1.0})


def test_bioscope_runner(tmp_path):
    path = tmp_path / "bio.xml"
    path.write_text(
        """<?xml version="1.0" encoding="utf-8"?>
<Annotation><DocumentSet><Document><DocumentPart>
<sentence id="S1">
    No <xcope id="X1"><cue type="negation" ref="X1">evidence</cue> of pneumonia</xcope>.
</sentence>
<sentence id="S2">Findings <xcope id="X2"><cue type="speculation" ref="X2">suggest</cue> asthma</xcope>.</sentence>
<sentence id="S3">Normal chest.</sentence>
</DocumentPart></Document></DocumentSet></Annotation>""",
        encoding="utf-8",
    )
    sentences = load_sentences(path)
    assert [s.text for s in sentences] == ["No evidence of pneumonia.", "Findings suggest asthma.", "Normal chest."]
    assert sentences[0].cue_kinds == {"negation"}

    @dataclass
    class Cue:
        kind: str
        start: int = 0
        end: int = 0

    def fake(sentence):
        return [Cue("negation")] if sentence.startswith(("No", "Normal")) else []

    out = evaluate_bioscope(sentences, fake)
    assert out["sentences"] == 3
    assert out["negation"]["precision"] == approx(0.5) and out["negation"]["recall"] == 1.0
    assert out["speculation"]["recall"] == 0.0 and out["speculation"]["support"] == 1


def test_baseline_matches_whole_words_case_insensitively():
    terms = [
        ("ICD-10-CM", "I10", "Essential (primary) hypertension", "Essential (primary) hypertension", "title"),
        ("ICD-10-CM", "I10", "Essential (primary) hypertension", "high blood pressure", "inclusion"),
        ("ICD-10-CM", "R50.9", "Fever, unspecified", "Fever", "inclusion"),
        ("ICD-10-PCS", "0DTJ4ZZ", "Resection of Appendix, Perc Endo", "Resection of Appendix", "title"),
    ]
    base = TermMatchBaseline(terms)
    text = "Known HIGH  blood-pressure; feverish? No. Resection of appendix."
    out = base.suggest(text)
    codes = [(s["system"], s["code"]) for s in out["suggestions"]]
    assert codes == [("ICD-10-CM", "I10")]  # "feverish" is not "fever"; PCS only for inpatient notes
    ev = out["suggestions"][0]["evidence"][0]
    assert text[ev["start"] : ev["end"]] == "HIGH  blood-pressure"
    assert out["suggestions"][0]["score"] >= out["threshold"]
    inpatient = base.suggest(text, setting="inpatient")
    assert ("ICD-10-PCS", "0DTJ4ZZ") in [(s["system"], s["code"]) for s in inpatient["suggestions"]]
    assert all(m["assertion"] == "present" for m in inpatient["mentions"])


def test_report_writes_markdown_and_plots(tmp_path):
    docs = [ScoredDoc({("ICD-10-CM", "E11.9")}, [(("ICD-10-CM", "E11.9"), 0.9), (("ICD-10-CM", "I10"), 0.3)])]
    path = write_report(
        tmp_path / "rep", ReportData("t", "cac evaluate x", {"documents": 1, "_hidden": 1}, docs, [1.0, 2.0, 3.0], 0.5)
    )
    text = path.read_text()
    assert "| documents | 1 |" in text and "_hidden" not in text
    assert "| 4 | Endocrine" in text  # chapter 4 row for E11.9
    for png in ("pr_threshold.png", "f1_by_chapter.png", "latency.png"):
        assert (tmp_path / "rep" / png).read_bytes()[:4] == b"\x89PNG"


def test_cli_codiesp_with_fake_engine(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import evaluation.engines
    from cac.cli.evaluate import app

    data = make_codiesp(tmp_path)
    engine = FakeEngine({"note a": [sug("ICD-10-CM", "E11.9", 0.9)]})
    monkeypatch.setattr(evaluation.engines, "resolve_engine", lambda name="auto": ("fake", engine))
    out_file = tmp_path / "pred.tsv"
    res = CliRunner().invoke(
        app, ["codiesp", "--data", str(data), "--split", "dev", "--task", "D", "--json", "--out", str(out_file)]
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert {"documents", "map", "precision", "recall", "f1", "gold_codes_invalid_share"} <= set(body)
    assert not any(k.startswith("_") for k in body)
    assert body["precision"] == 1.0
    assert out_file.read_text() == "a\te11.9\n"


def test_engine_resolution_without_cac_load(monkeypatch):
    import evaluation.baselines
    import evaluation.engines as engines

    monkeypatch.setattr(engines, "_cac_load", lambda: None)
    sentinel = TermMatchBaseline([])
    monkeypatch.setattr(evaluation.baselines.TermMatchBaseline, "from_store", classmethod(lambda cls: sentinel))
    assert engines.resolve_engine("auto") == ("baseline", sentinel)
    with pytest.raises(engines.EngineUnavailableError, match=r"cac\.load is missing\); use --engine baseline"):
        engines.resolve_engine("cac")
    with pytest.raises(engines.EngineUnavailableError, match="unknown engine"):
        engines.resolve_engine("gpt")
