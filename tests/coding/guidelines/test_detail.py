"""Detail spread over a condition's clauses: heart failure, respiratory failure, pulmonary hypertension, influenza;
and the combination rules for sepsis named with its organism and COPD documented with emphysema."""

from __future__ import annotations

import pytest

from cac.coding.guidelines import apply_guidelines, detail
from cac.coding.guidelines.common import load_yaml
from tests.coding.guidelines.helpers import by_code, codes, held


def test_heart_failure_type_and_acuity_from_two_mentions(make, context):
    note = "PMH: HFpEF (EF 60%) on diuretics.\nImpression: chronic diastolic CHF, euvolemic."
    cands = [make("I50.30", "HFpEF", note, score=0.7), make("I50.9", "CHF", note, score=0.8)]
    out = apply_guidelines(cands, context(text=note))
    assert codes(out) == ["I50.32"]
    assert [s.text for s in by_code(out, "I50.32").evidence] == ["HFpEF", "CHF"]
    assert "diastolic, chronic documented across its mentions" in by_code(out, "I50.32").rationale


@pytest.mark.parametrize(
    ("code", "note", "evidence", "expected"),
    [
        ("I50.20", "Acute on chronic HFrEF, diuresed with IV furosemide.", "HFrEF", "I50.23"),
        ("I50.9", "Chronic heart failure with EF 30% on last echo.", "heart failure", "I50.9"),  # an EF alone: no type
        ("I50.9", "Heart failure with preserved ejection fraction, decompensated.", "Heart failure", "I50.31"),
        ("I50.9", "Chronic combined systolic and diastolic heart failure.", "heart failure", "I50.42"),
    ],
)
def test_heart_failure_words_give_the_specific_code(make, context, code, note, evidence, expected):
    out = detail.apply([make(code, evidence, note)], context(text=note))
    assert codes(out) == [expected]


@pytest.mark.parametrize(
    ("note", "evidence", "expected"),
    [
        # another condition's acuity word in the same clause is not the heart failure's
        (
            "Acute kidney injury in the setting of chronic systolic heart failure.",
            "chronic systolic heart failure",
            "I50.22",
        ),
        ("Assessment: acute cystitis and systolic CHF, chronic kidney disease stage 3.", "systolic CHF", "I50.20"),
        ("COPD exacerbation and diastolic heart failure.", "diastolic heart failure", "I50.30"),
        # the heart failure's own words, before or after it
        ("Acute exacerbation of systolic CHF, also acute kidney injury.", "systolic CHF", "I50.21"),
        ("HFpEF, chronic; AKI resolved.", "HFpEF", "I50.32"),
        ("HFrEF (EF 25%), acute on chronic.", "HFrEF", "I50.23"),
        ("Diastolic heart failure exacerbation.", "Diastolic heart failure", "I50.31"),
    ],
)
def test_heart_failure_acuity_read_from_its_own_phrase(make, context, note, evidence, expected):
    out = detail.apply([make("I50.9", evidence, note), make("N17.9", "", note)], context(text=note))
    assert codes(out) == [expected, "N17.9"]
    assert by_code(out, expected).evidence[0].text == evidence


def test_respiratory_failure_acuity_read_from_its_own_phrase(make, context):
    note = "Acute kidney injury and hypoxic respiratory failure; chronic anemia."
    out = detail.apply([make("J96.90", "hypoxic respiratory failure", note)], context("inpatient", note))
    assert codes(out) == ["J96.91"]


def test_heart_failure_without_a_type_stays(make, context):
    note = "CHF, stable on current regimen."
    out = detail.apply([make("I50.9", "CHF", note)], context(text=note))
    assert codes(out) == ["I50.9"]


def test_hypertensive_heart_disease_gets_its_heart_failure_code(make, context):
    note = "Chronic diastolic heart failure, hypertensive - euvolemic today."
    cands = [make("I11.0", "Chronic diastolic heart failure", note, score=0.9)]
    out = apply_guidelines(cands, context(text=note))
    assert codes(out) == ["I11.0", "I50.32"]
    assert [s.text for s in by_code(out, "I50.32").evidence] == ["Chronic diastolic heart failure"]


@pytest.mark.parametrize(
    ("code", "note", "expected"),
    [
        ("J96.10", "Chronic hypoxic respiratory failure on 2 L home O2.", ["J96.11"]),
        ("J96.90", "Acute on chronic hypoxic and hypercapnic respiratory failure, on BiPAP.", ["J96.21", "J96.22"]),
        ("J96.90", "Acute hypercarbic respiratory failure from opioid overdose.", ["J96.02"]),
        # blood gas values are no documentation of hypoxia or hypercapnia
        ("J96.90", "Acute respiratory failure. ABG 7.25/65/55 on arrival.", ["J96.00"]),
    ],
)
def test_respiratory_failure_acuity_and_gas(make, context, code, note, expected):
    out = detail.apply([make(code, "respiratory failure", note)], context("inpatient", note))
    assert sorted(codes(out)) == expected
    assert all(c.evidence[0].text == "respiratory failure" for c in out)


def test_respiratory_failure_keeps_the_detail_its_code_has(make, context):
    note = "Respiratory failure, on high-flow nasal cannula."
    out = detail.apply([make("J96.01", "Respiratory failure", note)], context("inpatient", note))
    assert codes(out) == ["J96.01"]


@pytest.mark.parametrize(
    ("note", "evidence", "expected"),
    [
        ("Pulmonary hypertension, group 3, on home oxygen.", "Pulmonary hypertension", "I27.23"),
        ("Pulmonary hypertension due to severe COPD, RVSP 55.", "Pulmonary hypertension", "I27.23"),
        ("Pulmonary hypertension secondary to HFpEF.", "Pulmonary hypertension", "I27.22"),
        ("CTEPH, on riociguat.", "CTEPH", "I27.24"),
        ("Pulmonary hypertension, workup pending.", "Pulmonary hypertension", "I27.20"),
    ],
)
def test_pulmonary_hypertension_group(make, context, note, evidence, expected):
    out = detail.apply([make("I27.20", evidence, note)], context(text=note))
    assert codes(out) == [expected]


@pytest.mark.parametrize(
    ("code", "note", "evidence", "expected"),
    [
        ("J11.00", "Influenza A pneumonia, left lower lobe.", "Influenza A pneumonia", ["J10.00"]),
        ("J11.00", "Influenza with pneumonia. Influenza B PCR positive.", "Influenza with pneumonia", ["J10.00"]),
        ("J11.00", "Flu with pneumonia, clinically diagnosed.", "Flu with pneumonia", ["J11.00"]),
        ("J09.X1", "Influenza A pneumonia.", "Influenza A pneumonia", ["J10.00"]),
        ("J09.X1", "Novel influenza A (H5N1) pneumonia after poultry exposure.", "influenza A", ["J09.X1"]),
        ("J10.00", "Flu pneumonia.", "Flu pneumonia", ["J11.00"]),
        ("J10.00", "Flu A/B, COVID, RSV PCR: negative.", "Flu", []),
        ("J11.1", "Flu shot this fall.", "Flu", []),
        ("J11.1", "Had the flu a few days ago, cough lingering.", "flu", ["J11.1"]),  # "a" is no virus
        ("J10.1", "Influenza A and B PCR not detected.", "Influenza", []),
        ("J11.1", "Influenza-like illness; influenza A/B PCR not detected.", "Influenza", ["J11.1"]),
    ],
)
def test_influenza_identified_or_not(make, context, code, note, evidence, expected):
    out = detail.apply([make(code, evidence, note)], context("emergency", note))
    assert codes(out) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Severe sepsis due to group A streptococcal bacteremia.", "A40.0"),
        ("Sepsis due to MRSA bacteremia.", "A41.02"),
        ("Sepsis from E. coli pyelonephritis.", "A41.51"),
        ("Sepsis, negative for MRSA.", "A41.9"),
    ],
)
def test_sepsis_organism_named_in_its_clause(make, context, note, expected):
    out = apply_guidelines([make("A41.9", "sepsis", note)], context("inpatient", note))
    assert codes(out)[0] == expected
    assert not [c for c in codes(out) if c.startswith(("B95", "B96"))]  # no agent code for the sepsis itself


def test_sepsis_organism_is_the_agent_of_the_localized_infection(make, context):
    note = "Sepsis due to group A strep bacteremia. Cellulitis of right lower leg."
    cands = [make("A41.9", "Sepsis", note), make("L03.115", "Cellulitis of right lower leg", note)]
    out = apply_guidelines(cands, context("inpatient", note))
    assert sorted(codes(out)) == ["A40.0", "B95.0", "L03.115"]


def test_copd_with_emphysema_is_coded_as_emphysema(make, context):
    note = "COPD with severe centrilobular emphysema on CT, stable."
    cands = [make("J44.9", "COPD", note), make("J43.2", "centrilobular emphysema", note)]
    out = apply_guidelines(cands, context(text=note))
    assert codes(out) == ["J43.2"]


def test_detail_tables_name_billable_codes(store):
    cfg = load_yaml("detail.yaml")
    for row in cfg["pulmonary_hypertension"]["groups"] + cfg["pulmonary_hypertension"]["causes"]:
        assert store.is_billable("ICD-10-CM", row["code"]), row
    flu = cfg["influenza"]
    for table in (flu["to_identified"], flu["to_unidentified"]):
        for a, b in table.items():
            assert store.is_valid("ICD-10-CM", a) and store.is_valid("ICD-10-CM", b), (a, b)
            assert store.is_billable("ICD-10-CM", a) == store.is_billable("ICD-10-CM", b), (a, b)
    hf = cfg["heart_failure"]
    for t in hf["type_digit"].values():
        for a in hf["acuity_digit"].values():
            assert store.is_billable("ICD-10-CM", f"I50.{t}{a}")


def test_respiratory_failure_codes_read_together_keep_the_walks_code(make, context):
    note = "Hypoxic respiratory failure.\nA/P: pneumonia with acute respiratory failure with hypoxia."
    cands = [
        make("J96.91", "respiratory failure", note),
        make("J96.01", "acute respiratory failure with hypoxia", note),
    ]
    out = detail.apply(cands, context("inpatient", note))
    assert codes(out) == ["J96.01"]
    assert "J96.01, J96.91 read together as J96.01" in out[0].rationale


def test_cough_is_integral_to_emphysema(make, context):
    note = "Centrilobular emphysema with chronic morning cough."
    cands = [make("J43.2", "Centrilobular emphysema", note), make("R05.9", "cough", note)]
    out = apply_guidelines(cands, context(text=note))
    assert codes(out) == ["J43.2"]
    assert held(out) == ["R05.9"]


def test_heart_failure_code_keeps_the_detail_its_title_has(make, context):
    note = "Heart failure, diuresed.\nHx: HFpEF."
    cands = [make("I50.33", "Heart failure", note), make("I50.30", "HFpEF", note)]
    out = apply_guidelines(cands, context("inpatient", note))
    assert codes(out) == ["I50.33"]
    assert "unspecified I50.30 dropped" in out[0].rationale


def test_bacteremia_gives_way_to_streptococcal_sepsis(make, context):
    note = "Sepsis due to group A streptococcal bacteremia."
    cands = [make("A41.9", "Sepsis", note), make("R78.81", "bacteremia", note)]
    out = apply_guidelines(cands, context("inpatient", note))
    assert codes(out) == ["A40.0"]


def test_respiratory_failure_detail_on_the_line_before_a_wrap(make, context):
    note = "Assessment:\n1. Pneumonia with acute hypoxic\n   respiratory failure (pO2 58 on RA).\n"
    out = detail.apply([make("J96.90", "respiratory failure", note)], context("inpatient", note))
    assert codes(out) == ["J96.01"]


def test_a_line_break_before_a_capital_still_ends_the_clause():
    from cac.coding.guidelines.common import clause_at

    note = "Pneumonia with acute hypoxic\nRespiratory failure, chronic."
    start = note.index("Respiratory")
    assert clause_at(note, start, start + 19) == "Respiratory failure, chronic"
    wrapped = "Pneumonia with acute hypoxic\nrespiratory failure."
    start = wrapped.index("respiratory")
    assert clause_at(wrapped, start, start + 19) == "Pneumonia with acute hypoxic\nrespiratory failure"


@pytest.mark.parametrize(
    ("code", "note", "evidence", "expected"),
    [
        (
            "J32.2",
            "Chronic rhinosinusitis with polyps, bilateral maxillary, ethmoid and frontal sinuses.",
            "rhinosinusitis",
            "J32.8",
        ),
        ("J32.9", "Chronic sinusitis of the maxillary, ethmoid, frontal and sphenoid sinuses.", "sinusitis", "J32.4"),
        ("J01.90", "Acute sinusitis, maxillary and frontal.", "sinusitis", "J01.80"),
        ("J32.0", "Chronic maxillary sinusitis; frontal sinuses clear.", "sinusitis", "J32.0"),
        ("J32.0", "Chronic maxillary sinusitis, frontal sinuses are clear.", "sinusitis", "J32.0"),
    ],
)
def test_sinusitis_of_several_sinuses(make, context, code, note, evidence, expected):
    out = detail.apply([make(code, evidence, note)], context(text=note))
    assert codes(out) == [expected]
    assert [s.text for s in out[0].evidence] == [evidence]


def test_haemophilus_influenzae_is_no_influenza(make, context):
    note = "Assessment: Haemophilus influenzae pneumonia, right lower lobe."
    out = detail.apply([make("J11.00", "pneumonia", note)], context("inpatient", text=note))
    assert codes(out) == ["J18.9"]  # the pneumonia alone, for the organism rules
    assert "Haemophilus influenzae is no influenza" in by_code(out, "J18.9").rationale


def test_influenza_beside_haemophilus_stays_influenza(make, context):
    note = "Assessment: influenza with Haemophilus influenzae pneumonia."
    out = detail.apply([make("J11.00", "influenza", note)], context("inpatient", text=note))
    assert codes(out) == ["J11.00"]


@pytest.mark.parametrize(
    "note",
    ["Results: SARS-CoV-2 PCR negative.", "Respiratory panel (flu/COVID/RSV) negative.", "COVID booster declined."],
)
def test_a_negative_covid_test_or_vaccine_is_no_covid(make, context, note):
    word = "SARS-CoV-2" if "SARS" in note else "COVID"
    assert codes(detail.apply([make("U07.1", word, note)], context(text=note))) == []


def test_covid_19_is_kept(make, context):
    note = "Assessment: COVID-19 infection, mild; isolate at home."
    assert codes(detail.apply([make("U07.1", "COVID-19", note)], context(text=note))) == ["U07.1"]
