"""Excludes1: the two codes are never both suggested; code references parsed from the note texts."""

from __future__ import annotations

from cac.coding.guidelines import apply_guidelines, excludes1
from cac.coding.guidelines.coderefs import parse_refs
from tests.coding.guidelines.helpers import codes, held


def test_type_1_and_type_2_diabetes_never_both(make, context):
    out = apply_guidelines([make("E10.9", "IDDM", score=0.7), make("E11.9", "DM2", score=0.9)], context())
    assert codes(out) == ["E11.9"]
    assert "Excludes1 with E10.9" in out[0].rationale


def test_confirmed_code_beats_a_higher_scoring_historical_one(make, context):
    cands = [make("E11.9", "DM2", score=0.6), make("E10.9", "type 1 diabetes", score=0.9, assertion="historical")]
    assert codes(excludes1.apply(cands, context())) == ["E11.9"]


def test_inherited_excludes1_from_category(make, context):
    # E10 excludes hyperglycemia NOS (R73.9)
    assert excludes1.conflicts(make("E10.9", "a"), make("R73.9", "b"), context())
    assert not excludes1.conflicts(make("E11.22", "a"), make("N18.4", "b"), context())


def test_unrelated_codes_both_kept(make, context):
    cands = [make("I10", "HTN"), make("E78.5", "HLD"), make("J45.909", "asthma")]
    assert codes(excludes1.apply(cands, context())) == ["I10", "E78.5", "J45.909"]


def _covers(text: str, code: str) -> bool:
    return any(s.covers(code) for s in parse_refs(text))


def test_parse_code_references():
    assert _covers("type 1 diabetes mellitus (E10.-)", "E10.9")
    assert _covers("gestational diabetes (O24.4-)", "O24.419")
    assert not _covers("gestational diabetes (O24.4-)", "O24.319")
    assert _covers("neonatal diabetes mellitus (P70.2)", "P70.2")
    assert _covers("stage (N18.1-N18.6)", "N18.30") and not _covers("stage (N18.1-N18.6)", "N18.9")
    assert _covers("hypertensive disease (O10-O11, O13-O16)", "O16.1") and not _covers("(O10-O11, O13-O16)", "O12.0")
    assert _covers("diabetes mellitus (E08-E13 with .42)", "E11.42") and not _covers("(E08-E13 with .42)", "E11.9")
    assert parse_refs("mononucleosis (B27.0-B27.9 with fifth character 1)") == ()
    assert _covers("jaw pain R68.84", "R68.84")
    assert _covers("hypertensive chronic kidney disease (I12.-, I13.-)", "I13.0")
    assert parse_refs("brittle diabetes (mellitus)") == ()
    # categories narrowed by words: only some of their codes, so none is taken
    assert parse_refs("diabetic acidosis - see categories E08-E10, E11, E13 with ketoacidosis") == ()


def test_a_symptom_gives_way_to_the_diagnosis_it_conflicts_with(make, context):
    note = "Chronic respiratory failure with hypoxia. Wheezing on exam."
    cands = [
        make("R06.2", "Wheezing", note, score=0.8),
        make("J96.11", "Chronic respiratory failure with hypoxia", note, 0.75),
    ]
    out = excludes1.apply(cands, context(text=note))
    assert codes(out) == ["J96.11"]
    assert held(out) == ["R06.2"]


def test_close_scores_the_code_named_by_more_words_wins(make, context):
    note = "Reflux esophagitis, LA grade B."
    cands = [make("K20.90", "esophagitis", note, score=0.9), make("K21.00", "Reflux esophagitis", note, score=0.88)]
    out = excludes1.apply(cands, context(text=note))
    assert codes(out) == ["K21.00"]
    assert "Excludes1 with K20.90" in next(c for c in out if c.code == "K21.00").rationale
    assert held(out) == ["K20.90"]


def test_a_clearly_higher_score_still_wins(make, context):
    note = "Reflux esophagitis, LA grade B."
    cands = [make("K20.90", "esophagitis", note, score=0.9), make("K21.00", "Reflux esophagitis", note, score=0.5)]
    assert codes(excludes1.apply(cands, context(text=note))) == ["K20.90"]


def test_a_loser_whose_winner_is_displaced_later_is_still_held(make, context):
    # K20.90 beats K20.9-like rivals first, then gives way to the reflux code named by more words
    note = "Reflux esophagitis, LA grade B. Esophagitis."
    cands = [
        make("K20.90", "esophagitis", note, score=0.9),
        make("K21.9", "Reflux", note, score=0.5),
        make("K21.00", "Reflux esophagitis", note, score=0.88),
    ]
    out = excludes1.apply(cands, context(text=note))
    assert "K21.00" in codes(out)
    assert set(codes(out)) | set(held(out)) == {"K20.90", "K21.9", "K21.00"}


def test_the_condition_an_excludes1_note_sends_elsewhere_wins(make, context):
    """J02 Acute pharyngitis, Excludes1: peritonsillar abscess (J36): a documented abscess is coded J36."""
    note = "Sore throat x 4 days. Imp: left peritonsillar abscess, drained."
    cands = [make("J02.9", "Sore throat", note, score=0.8), make("J36", "peritonsillar abscess", note, score=0.6)]
    out = excludes1.apply(cands, context(text=note))
    assert codes(out) == ["J36"]
    assert held(out) == ["J02.9"]


def test_a_far_lower_redirected_code_does_not_win(make, context):
    note = "Sore throat x 4 days. Imp: acute pharyngitis; peritonsillar abscess considered."
    cands = [make("J02.9", "acute pharyngitis", note, score=0.9), make("J36", "peritonsillar abscess", note, score=0.4)]
    assert codes(excludes1.apply(cands, context(text=note))) == ["J02.9"]


def test_a_code_whose_own_note_sends_its_condition_to_the_other_gives_way(make, context):
    # K81 Excludes1 "cholecystitis with cholelithiasis (K80.-)": chronic cholecystitis with stones is K80.10,
    # even when "chronic cholecystitis" is the longer phrase
    note = "Gallstones; pathology: chronic cholecystitis."
    cands = [make("K80.10", "Gallstones", note, score=0.92), make("K81.1", "chronic cholecystitis", note, score=0.9)]
    out = excludes1.apply(cands, context(text=note))
    assert held(out) == ["K81.1"]


def test_a_chronic_condition_of_the_past_history_coded_as_current_counts_as_current(make, context):
    """CKD listed in the past history is still coded (N18.9 with I13.0): it holds its own against a present
    code of the same Excludes1 pair, as a present CKD would."""
    ckd = make("N18.9", "Chronic renal insufficiency", score=0.64, assertion="historical")
    ckd.rationale += "; rule: chronic condition (chronic kidney disease) in past history still coded as current"
    acute = make("N28.9", "acute renal insufficiency", score=0.68)
    assert excludes1.conflicts(ckd, acute, context())
    assert codes(excludes1.apply([acute, ckd], context())) == ["N18.9"]


def test_a_code_read_from_part_of_the_words_gives_way_to_the_whole_reading(make, context):
    note = "Social: Ex-smoker, quit 2015."
    cands = [
        make("F17.200", "smoker", note, score=0.65),
        make("Z87.891", "Ex-smoker", note, score=0.6, assertion="historical"),
    ]
    out = excludes1.apply(cands, context(text=note))
    assert codes(out) == ["Z87.891"]
    assert held(out) == ["F17.200"]


def test_a_note_about_a_condition_nos_does_not_block_its_combination_code(make, context):
    # M54.1 sends radiculopathy with a lumbar disc disorder to M51.1-; M51.1 sends only "lumbar radiculitis NOS"
    # to M54.16: the combination code wins
    note = "Lumbar disc herniation with radiculopathy."
    cands = [
        make("M54.16", "radiculopathy", note, score=0.96),
        make("M51.16", "disc herniation", note, score=0.92),
    ]
    out = excludes1.apply(cands, context(text=note))
    assert codes(out) == ["M51.16"]
    assert held(out) == ["M54.16"]
