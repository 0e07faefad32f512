"""The trained ICD-10-CM reranker (cac.coding.rerank): artifact, features, ordering, and the off switch."""

import copy
import math
from pathlib import Path

import pytest

from cac.coding.rerank import Reranker, bundled, feature_names, features

SAMPLE = Path(__file__).resolve().parents[2] / "cac" / "samples" / "progress_note.txt"


def _result(*suggestions, mentions=()):
    return {"threshold": 0.65, "suggestions": list(suggestions), "mentions": list(mentions)}


def _mention(start, end, text, section):
    return {"start": start, "end": end, "text": text, "type": "problem", "assertion": "present", "section": section}


STRONG = {
    "system": "ICD-10-CM",
    "code": "I50.33",
    "title": "Acute on chronic diastolic (congestive) heart failure",
    "score": 0.9,
    "evidence": [
        {"start": 10, "end": 48, "text": "acute on chronic diastolic heart failure"},
        {"start": 300, "end": 338, "text": "acute on chronic diastolic heart failure"},
    ],
    "assertion": "present",
    "rationale": "index: Failure, heart, diastolic, acute on chronic",
    "flags": ["hcc"],
}
WEAK = {
    "system": "ICD-10-CM",
    "code": "I51.7",
    "title": "Cardiomegaly",
    "score": 0.6,
    "evidence": [{"start": 500, "end": 512, "text": "heart larger"}],
    "assertion": "present",
    "rationale": "inclusion: heart larger",
    "flags": [],
}
MENTIONS = [
    _mention(10, 48, "acute on chronic diastolic heart failure", "history_of_present_illness"),
    _mention(300, 338, "acute on chronic diastolic heart failure", "assessment"),
    _mention(500, 512, "heart larger", "review_of_systems"),
]


def test_bundled_artifact_loads_and_matches_the_features():
    model = bundled()
    assert model is not None
    assert model.names == tuple(feature_names())
    assert len(model.weights) == len(model.names) and 0.0 < model.threshold < 1.0
    assert all(s > 0 for s in model.scales)


def test_artifact_with_other_features_is_refused():
    model = bundled()
    assert model is not None
    data = {
        "features": ["score"],
        "weights": [1.0],
        "bias": 0.0,
        "means": [0.0],
        "scales": [1.0],
        "threshold": model.threshold,
    }
    with pytest.raises(ValueError, match="other features"):
        Reranker.from_dict(data)


def test_features_of_a_known_suggestion():
    strong, weak = copy.deepcopy(STRONG), copy.deepcopy(WEAK)
    result = _result(strong, weak, mentions=MENTIONS)
    f = features(strong, result, setting="inpatient", note_type="discharge_summary")
    assert set(f) == set(feature_names())
    assert f["score"] == 0.9 and f["score_gap_top"] == 0.0 and f["rank_fraction"] == 0.0
    assert f["source_index_walk"] == 1.0 and f["source_inclusion"] == 0.0
    assert f["walk_depth"] == pytest.approx(3 / 5)  # three modifiers below the main term
    assert f["log_evidence"] == pytest.approx(math.log1p(2))
    assert f["log_distinct_evidence"] == pytest.approx(math.log1p(1))
    assert f["section_diagnosis"] == 1.0 and f["section_present_illness"] == 1.0  # assessment and HPI
    assert f["section_ros_exam"] == 0.0 and f["no_section"] == 0.0 and f["note_has_sections"] == 1.0
    assert f["chapter_I"] == 1.0 and f["chapter_E"] == 0.0 and f["code_length"] == pytest.approx(2 / 4)
    assert f["same_category"] == 0.0  # I51.7 is another category
    assert f["flag_hcc"] == 1.0 and f["assertion_present"] == 1.0
    assert f["setting_inpatient"] == 1.0 and f["note_type_given"] == 1.0
    assert f["title_overlap"] == 1.0  # every evidence word is in the title
    g = features(weak, result, setting="inpatient", note_type="discharge_summary")
    assert g["source_inclusion"] == 1.0 and g["section_diagnosis"] == 0.0 and g["section_ros_exam"] == 1.0
    assert g["rank_fraction"] == 0.5 and g["score_gap_top"] == pytest.approx(0.3)


def test_rules_read_from_the_rationale():
    s = dict(STRONG, code="C64.9", rationale="index: Carcinoma, renal cell; rule: C64 not billable -> C64.9 (x)")
    f = features(s, _result(s))
    assert f["rule_not_billable"] == 1.0 and f["rule_combination"] == 0.0 and f["rules"] == 1.0
    assert f["no_section"] == 1.0 and f["chapter_CD"] == 1.0
    z = dict(STRONG, code="Z79.84", rationale="rule: long-term oral hypoglycemic documented -> Z79.84 (I.C.21)")
    assert features(z, _result(z))["source_rule"] == 1.0


def test_stronger_evidence_outranks_weaker_and_scores_stay_in_range():
    model = bundled()
    assert model is not None
    result = model.rescore(_result(copy.deepcopy(WEAK), copy.deepcopy(STRONG), mentions=MENTIONS), "inpatient")
    codes = [s["code"] for s in result["suggestions"]]
    assert codes == ["I50.33", "I51.7"]
    strong, weak = result["suggestions"]
    assert 0.0 <= weak["score"] < strong["score"] <= 1.0
    assert strong["score"] >= result["threshold"]
    # even alone in the note (so ranked first), the weak suggestion stays below the strong one
    alone = model.rescore(_result(copy.deepcopy(WEAK), mentions=MENTIONS), "inpatient")["suggestions"][0]
    assert alone["score"] < strong["score"]


def test_probability_threshold_maps_onto_the_result_threshold():
    model = bundled()
    assert model is not None
    t = model.threshold
    assert model.to_score(t, 0.65) == pytest.approx(0.65)
    assert model.to_score(0.0, 0.65) == 0.0 and model.to_score(1.0, 0.65) == pytest.approx(1.0)
    scores = [model.to_score(p / 100, 0.65) for p in range(101)]
    assert scores == sorted(scores)


def test_etiology_keeps_its_place_before_its_manifestation():
    model = bundled()
    assert model is not None
    etiology = dict(copy.deepcopy(WEAK), code="E85.4", rationale="title: x; rule: code first E85.4 before I43 (e/m)")
    manifestation = dict(copy.deepcopy(STRONG), code="I43", rationale="index: A, b; rule: sequenced after E85.4 (x)")
    result = model.rescore(_result(manifestation, etiology, mentions=MENTIONS), "inpatient")
    by_code = {s["code"]: s["score"] for s in result["suggestions"]}
    assert by_code["E85.4"] >= by_code["I43"]


def test_other_systems_are_untouched():
    model = bundled()
    assert model is not None
    cpt = {"system": "CPT", "code": "93306", "title": "Echo", "score": 0.7, "evidence": [], "rationale": "rule: x"}
    result = model.rescore(_result(copy.deepcopy(STRONG), dict(cpt)), "outpatient")
    assert next(s for s in result["suggestions"] if s["system"] == "CPT") == cpt


def test_switch_off_gives_the_handset_scores(store, monkeypatch):
    from cac import config
    from cac.coding import Engine

    monkeypatch.setenv("CAC_RERANKER", "0")
    assert config.reranker() is False
    off = Engine(store=store, dense=False)
    assert off.reranker is None
    monkeypatch.setenv("CAC_RERANKER", "1")
    on = Engine(store=store, dense=False)
    assert on.reranker is not None
    text = SAMPLE.read_text()
    handset = off.suggest(text, setting="outpatient", note_type="progress_note")
    reranked = on.suggest(text, setting="outpatient", note_type="progress_note")
    # the switch changes nothing but ICD-10-CM scores: same suggestions, and "on" is "off" rescored
    key = lambda r: sorted((s["system"], s["code"]) for s in r["suggestions"])  # noqa: E731
    assert key(handset) == key(reranked)
    assert on.reranker.rescore(copy.deepcopy(handset), "outpatient", "progress_note") == reranked
    icd_off = {s["code"]: s["score"] for s in handset["suggestions"] if s["system"] == "ICD-10-CM"}
    icd_on = {s["code"]: s["score"] for s in reranked["suggestions"] if s["system"] == "ICD-10-CM"}
    assert icd_off != icd_on
    others = [s for s in handset["suggestions"] if s["system"] != "ICD-10-CM"]
    assert others == [s for s in reranked["suggestions"] if s["system"] != "ICD-10-CM"]


def test_a_set_aside_code_changes_no_other_score_and_ranks_below_the_held_cap():
    from cac.coding.guidelines.common import HELD_SCORE, SET_ASIDE_FACTOR

    model = bundled()
    assert model is not None
    alone = model.rescore(_result(copy.deepcopy(WEAK), copy.deepcopy(STRONG), mentions=MENTIONS), "inpatient")
    aside = dict(
        copy.deepcopy(STRONG),
        code="I50.30",
        rationale="index: Failure, heart, diastolic; rule: not reported by the detail rules; "
        "held below the threshold for review",
        flags=["hcc", "set_aside"],
    )
    both = model.rescore(_result(copy.deepcopy(WEAK), copy.deepcopy(STRONG), aside, mentions=MENTIONS), "inpatient")
    scores = {s["code"]: s["score"] for s in both["suggestions"]}
    assert {s["code"]: s["score"] for s in alone["suggestions"]} == {c: scores[c] for c in ("I50.33", "I51.7")}
    assert 0.0 <= scores["I50.30"] <= HELD_SCORE * SET_ASIDE_FACTOR
    assert [s["code"] for s in both["suggestions"]][-1] == "I50.30"
