"""Pregnancy (Section I.C.15): chapter 15 codes by trimester or childbirth, O09 risks, O34.21-, Z37, Z30.2."""

from __future__ import annotations

import pytest

from cac.coding.guidelines import apply_guidelines, pregnancy
from cac.coding.guidelines.common import CodeSpec, load_yaml
from tests.coding.guidelines.helpers import by_code, codes, held


def _weeks(make, note: str, code: str, words: str):
    return make(code, words, note, score=0.7)


@pytest.mark.parametrize(("weeks", "expected"), [(6, 1), (13, 1), (14, 2), (27, 2), (28, 3), (41, 3)])
def test_trimester_boundaries(weeks, expected):
    assert pregnancy.trimester(weeks) == expected


def test_condition_in_pregnancy_gets_its_o_code_first_and_keeps_its_own(make, context):
    note = "G2P1 at 22w1d. Hypothyroidism in pregnancy, on levothyroxine."
    cands = [make("E03.9", "Hypothyroidism in pregnancy", note), _weeks(make, note, "Z3A.22", "22w1d")]
    out = apply_guidelines(cands, context(text=note))
    assert codes(out)[0] == "O99.282"  # the chapter 15 code sequenced first
    assert sorted(codes(out)) == ["E03.9", "O99.282", "Z3A.22"]
    assert [s.text for s in by_code(out, "O99.282").evidence] == ["Hypothyroidism in pregnancy"]
    assert "in pregnancy -> O99.282 (trimester 2" in by_code(out, "O99.282").rationale


@pytest.mark.parametrize(
    ("code", "words", "weeks", "expected"),
    [
        ("F41.1", "Generalized anxiety disorder", "Z3A.10", ["O99.341", "F41.1"]),
        ("E66.01", "Morbid obesity", "Z3A.30", ["O99.213", "E66.01"]),
        ("D50.9", "Iron deficiency anemia", "Z3A.30", ["O99.013", "D50.9"]),
        ("E11.9", "Type 2 diabetes", "Z3A.16", ["O24.112", "E11.9"]),
        ("J45.20", "Mild intermittent asthma", "Z3A.33", ["O99.513", "J45.20"]),
    ],
)
def test_use_additional_code_conditions_keep_their_code(make, context, code, words, weeks, expected):
    note = f"IUP. {words}. Weeks noted."
    out = apply_guidelines([make(code, words, note), _weeks(make, note, weeks, "IUP")], context(text=note))
    assert [c for c in codes(out) if not c.startswith("Z3A")] == expected


def test_pre_existing_hypertension_is_o10_alone(make, context):
    note = "Prenatal visit, 12w0d. Chronic hypertension on labetalol."
    cands = [make("I10", "Chronic hypertension", note), _weeks(make, note, "Z3A.12", "12w0d")]
    out = apply_guidelines(cands, context(text=note))
    assert sorted(codes(out)) == ["O10.011", "Z3A.12"]


def test_gestational_hypertension_drops_i10_and_goes_to_childbirth_at_delivery(make, context):
    note = "IUP at 39w1d. Gestational hypertension; hypertension. Delivered a viable male infant, Apgars 8 and 9."
    cands = [make("O13.9", "Gestational hypertension", note), make("I10", "hypertension", note)]
    cands.append(_weeks(make, note, "Z3A.39", "39w1d"))
    out = apply_guidelines(cands, context(setting="inpatient", text=note))
    assert sorted(codes(out)) == ["O13.4", "Z37.0", "Z3A.39"]
    assert [s.text for s in by_code(out, "Z37.0").evidence] == ["viable male infant"]


def test_urinary_tract_infection_in_pregnancy_is_o23(make, context):
    note = "12 weeks pregnant, IUP on ultrasound. UTI."
    cands = [make("N39.0", "UTI", note), _weeks(make, note, "Z3A.12", "12 weeks")]
    assert sorted(codes(apply_guidelines(cands, context(text=note)))) == ["O23.41", "Z3A.12"]


@pytest.mark.parametrize(
    "note",
    [
        "16 yo girl, G1P0 at 20 weeks, here with dysuria. UTI.",
        "A 15-year-old girl presents at 20 weeks gestation by dates with dysuria; she is pregnant. UTI.",
        "Girl with an IUP at 20 weeks presents with dysuria. UTI.",
    ],
)
def test_a_pregnant_teenager_called_a_girl_gets_the_o_code(make, context, note):
    cands = [make("N39.0", "UTI", note), _weeks(make, note, "Z3A.20", "20 weeks")]
    assert sorted(codes(apply_guidelines(cands, context(text=note)))) == ["O23.42", "Z3A.20"]


@pytest.mark.parametrize(
    "note",
    [
        "8 year old girl with dysuria; her mother is 20 weeks pregnant. UTI.",  # too young: the mother's pregnancy
        "14 yo boy with dysuria; his sister is 20 weeks pregnant. UTI.",
        "16 year old girl with dysuria. UTI.",  # no pregnancy documented
    ],
)
def test_a_child_or_a_boy_gets_no_o_code(make, context, note):
    out = apply_guidelines([make("N39.0", "UTI", note)], context(text=note))
    assert "N39.0" in codes(out)
    assert not [c for c in codes(out) if c.startswith("O")]


def test_no_o_code_for_a_patient_who_is_not_pregnant(make, context):
    note = "30 yo F, G2P2, urine hCG negative. Hypothyroidism. Anxiety."
    cands = [make("E03.9", "Hypothyroidism", note), make("F41.9", "Anxiety", note)]
    cands.append(make("O26.90", "Anxiety", note))
    out = apply_guidelines(cands, context(text=note))
    assert sorted(codes(out)) == ["E03.9", "F41.9"]
    assert held(out) == ["O26.90"]


def test_a_weak_or_uncertain_condition_brings_no_o_code(make, context):
    note = "IUP at 20w0d. Counseled that surgery may lower ovarian cancer risk."
    cands = [make("C56.9", "ovarian cancer", note, assertion="possible"), _weeks(make, note, "Z3A.20", "20w0d")]
    assert not [c for c in codes(apply_guidelines(cands, context(text=note))) if c.startswith("O")]


def test_high_risk_supervision_from_the_documented_risks(make, context):
    note = (
        "High-risk OB return visit. 38 yo G3P2 at 20w2d.\n"
        "A/P: Advanced maternal age, multigravida. Hx of preterm birth at 33 wks - cervical lengths."
    )
    cands = [make("O09.90", "high-risk", note), _weeks(make, note, "Z3A.20", "20w2d")]
    out = apply_guidelines(cands, context(text=note))
    assert sorted(codes(out)) == ["O09.212", "O09.522", "Z3A.20"]  # the unspecified O09.90 gives way
    assert {s.text for s in by_code(out, "O09.522").evidence} == {"38 yo", "Advanced maternal age"}
    assert [s.text for s in by_code(out, "O09.212").evidence] == ["Hx of preterm birth"]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Prenatal visit. 36 yo G1P0 at 10w2d, doing well.", "O09.511"),
        ("Prenatal visit. 27 yo G2P1 at 30w0d. No prenatal care until 28 weeks.", "O09.33"),
        ("High-risk pregnancy clinic, 25 yo G2P1 at 16w0d, here for follow-up.", "O09.92"),
    ],
)
def test_high_risk_supervision_by_age_or_care(make, context, note, expected):
    weeks = next(w for w in ("10w2d", "30w0d", "16w0d") if w in note)
    z3a = f"Z3A.{int(weeks.split('w')[0]):02d}"
    out = apply_guidelines([_weeks(make, note, z3a, weeks)], context(text=note))
    assert [c for c in codes(out) if c.startswith("O09")] == [expected]


def test_no_high_risk_supervision_without_a_risk_or_at_delivery(make, context):
    note = "Prenatal visit. 26 yo G2P1 at 24w0d, feels well. No history of preterm birth."
    assert codes(apply_guidelines([_weeks(make, note, "Z3A.24", "24w0d")], context(text=note))) == ["Z3A.24"]
    note = "38 yo G3P2 at 39w0d, advanced maternal age. Delivered a live female infant."
    out = apply_guidelines([_weeks(make, note, "Z3A.39", "39w0d")], context(text=note))
    assert sorted(codes(out)) == ["Z37.0", "Z3A.39"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Two prior low transverse cesarean deliveries", "O34.211"),
        ("history of classical cesarean section", "O34.212"),
        ("s/p C-section x1, plans TOLAC", "O34.219"),
    ],
)
def test_previous_cesarean_scar_by_type(make, context, words, expected):
    note = f"G3P2 at 36w0d. {words}."
    out = apply_guidelines([_weeks(make, note, "Z3A.36", "36w0d")], context(text=note))
    assert expected in codes(out)
    assert by_code(out, expected).evidence[0].text.lower() in words.lower()


def test_no_scar_code_when_denied(make, context):
    note = "G2P1 at 30w0d. No prior cesarean; prior vaginal delivery."
    assert not [
        c
        for c in codes(apply_guidelines([_weeks(make, note, "Z3A.30", "30w0d")], context(text=note)))
        if c.startswith("O34")
    ]


def test_sterilization_done_in_this_encounter(make, context):
    note = "Procedures: Repeat cesarean section. Bilateral salpingectomy for sterilization.\nConsent signed."
    out = apply_guidelines([make("O34.219", "Repeat cesarean", note)], context(setting="inpatient", text=note))
    assert "Z30.2" in codes(out)
    assert by_code(out, "Z30.2").evidence[0].text == "sterilization"


def test_planned_sterilization_is_not_coded(make, context):
    note = "30w pregnant, IUP. Plan: desires tubal ligation after delivery."
    assert "Z30.2" not in codes(apply_guidelines([], context(text=note)))


def test_bmi_and_delivery_blood_loss_not_reported(make, context):
    note = "IUP at 39w0d. Obesity, BMI 36. Delivered a live male infant. EBL 500 mL."
    cands = [make("E66.9", "Obesity", note), make("Z68.36", "BMI 36", note), make("R58", "EBL", note)]
    cands.append(_weeks(make, note, "Z3A.39", "39w0d"))
    out = apply_guidelines(cands, context(setting="inpatient", text=note))
    assert sorted(codes(out)) == ["E66.9", "O99.214", "Z37.0", "Z3A.39"]
    assert sorted(held(out)) == ["R58", "Z68.36"]


def test_chapter_15_code_scores_as_its_condition_after_the_final_scorer():
    why = "index: Hypothyroidism; rule: thyroid disease (E03.9) in pregnancy -> O99.282 (trimester 2, x)"
    out = [
        {"system": "ICD-10-CM", "code": "O99.282", "score": 0.95, "rationale": why},
        {"system": "ICD-10-CM", "code": "E03.9", "score": 0.4, "rationale": "index: Hypothyroidism"},
    ]
    pregnancy.tie_to_condition(out)
    assert out[0]["score"] == 0.4


def test_period_of_titles():
    assert pregnancy.period_of("Obesity complicating pregnancy, second trimester") == "2"
    assert pregnancy.period_of("Gestational [pregnancy-induced] hypertension ..., complicating childbirth") == "C"
    assert pregnancy.period_of("Maternal care for low transverse scar from previous cesarean delivery") is None


def test_every_table_code_is_in_the_release(store):
    cfg = load_yaml("pregnancy.yaml")
    targets = [r["target"] for r in cfg["conditions"] + cfg["high_risk"]]
    targets += [t["code"] for t in cfg["scar"]["types"]] + [cfg["scar"]["unspecified"], cfg["high_risk_unspecified"]]
    targets += list(cfg["elderly"].values()) + list(cfg["young"].values()) + [o["code"] for o in cfg["outcomes"]]
    for code in targets:
        assert store.get("ICD-10-CM", str(code)) is not None, code
    for row in cfg["conditions"]:
        CodeSpec(str(row["code"]))


def test_a_relative_s_pregnancy_gives_the_patient_no_o_code(make, context):
    note = "HPI: 60 yo woman with hypertension. Her daughter is 32 weeks pregnant.\nAssessment: Essential hypertension."
    out = apply_guidelines([make("I10", "Essential hypertension", note)], context(text=note))
    assert codes(out) == ["I10"]
    assert not pregnancy.encounter([], context(text=note)).pregnant


def test_a_newborn_record_gets_no_o_code_for_the_mothers_diabetes(make, context):
    note = "NEWBORN DISCHARGE SUMMARY\nBaby boy, born 03/02 at 0410, DOL 2. Mother: 30 yo G2P2, gestational DM."
    cands = [make("O24.419", "gestational DM", note)]
    out = apply_guidelines(cands, context("inpatient", text=note))
    assert not [c for c in codes(out) if c.startswith("O")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GDM, A1 - diet controlled, sugars at goal.", "O24.410"),
        ("Gestational diabetes on insulin 10 units qHS.", "O24.414"),
        ("Gestational diabetes, A2 (metformin) - at goal.", "O24.415"),
        ("GDM - diet alone for now, will start insulin if fasting > 95.", "O24.410"),  # insulin only planned
        ("GDM, reviewing sugars.", "O24.419"),
    ],
)
def test_gestational_diabetes_takes_its_documented_control(make, context, line, expected):
    note = f"28 yo G1P0 at 30w1d, prenatal visit.\nA/P: {line}"
    word = "GDM" if "GDM" in line else "Gestational diabetes"
    out = apply_guidelines([make("O24.419", word, note)], context(text=note))
    assert expected in codes(out)
    assert [c for c in codes(out) if c.startswith("O24.4")] == [expected]


def test_a_condition_in_the_puerperium_gets_its_puerperium_code(make, context):
    note = "Postpartum readmission, PPD #5 after NSVD at 39w2d. Mild intermittent asthma, stable."
    out = apply_guidelines([make("J45.20", "Mild intermittent asthma", note)], context("inpatient", text=note))
    assert sorted(codes(out)) == ["J45.20", "O99.53"]
    assert "(puerperium, Section I.C.15.a.1)" in by_code(out, "O99.53").rationale


def test_a_chapter_15_code_moves_to_the_puerperium(make, context):
    note = "Severe pre-eclampsia, 8 days postpartum; BP 168/104."
    cands = [make("O14.10", "Severe pre-eclampsia", note, score=0.9), make("Z3A.39", "8 days", note, score=0.7)]
    out = apply_guidelines(cands, context("inpatient", text=note))
    assert "O14.15" in codes(out)
    assert "Z3A.39" not in codes(out)  # weeks of gestation date a pregnancy that has ended


def test_a_past_or_planned_postpartum_word_is_no_puerperium(make, context):
    note = "IUP at 24w0d. History of postpartum hemorrhage. Will discuss contraception in the postpartum period."
    cands = [make("J45.20", "asthma", note + " asthma"), make("Z3A.24", "24w0d", note)]
    out = apply_guidelines(cands, context(text=note + " asthma"))
    assert "O99.512" in codes(out) and "O99.53" not in codes(out)


def test_at_delivery_a_code_without_a_childbirth_form_takes_the_trimester(make, context):
    note = "IUP at 40w3d. Suspected Triple I. Delivered a viable female infant, Apgars 7 and 9."
    cands = [make("O41.1290", "Triple I", note), _weeks(make, note, "Z3A.40", "40w3d")]
    out = apply_guidelines(cands, context("inpatient", text=note))
    assert "O41.1230" in codes(out) and "O41.1290" not in codes(out)
