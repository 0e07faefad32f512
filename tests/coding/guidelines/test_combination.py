"""Combination codes: diabetes, hypertension with heart/kidney disease, COPD, sepsis."""

from __future__ import annotations

import pytest

from cac.coding.guidelines import apply_guidelines, combination
from cac.coding.guidelines.common import CodeSpec, load_yaml
from tests.coding.guidelines.helpers import by_code, codes


def test_diabetes_with_ckd_gives_e11_22_plus_the_stage(make, context):
    note = "Type 2 diabetes. CKD stage 3."
    out = apply_guidelines(
        [make("E11.9", "Type 2 diabetes", note), make("N18.30", "CKD stage 3", note)], context(text=note)
    )
    assert codes(out) == ["E11.22", "N18.30"]
    combo = by_code(out, "E11.22")
    assert "diabetes with chronic kidney disease (N18.30) -> E11.22" in combo.rationale
    assert "E11.9 (without complications) dropped" in combo.rationale
    assert len(combo.evidence) == 2  # both mentions support the combination code


def test_two_ckd_codes_give_one_diabetes_combination(make, context):
    # both N18 codes map to E11.22: the second must find the combination the first just added
    note = "Type 2 diabetes. CKD stage 3b. Chronic kidney disease stage 3."
    cands = [make("E11.9", "Type 2 diabetes", note), make("N18.32", "CKD stage 3b", note)]
    cands.append(make("N18.30", "Chronic kidney disease stage 3", note))
    out = combination.apply(cands, context(text=note))
    assert [c.code for c in out].count("E11.22") == 1
    assert "(N18.30) -> E11.22" in by_code(out, "E11.22").rationale


def test_type_1_diabetes_with_ckd_and_unspecified_stage_dropped(make, context):
    out = apply_guidelines([make("E10.9", "T1DM"), make("N18.9", "CKD"), make("N18.4", "CKD 4")], context())
    assert sorted(codes(out)) == ["E10.22", "N18.4"]


@pytest.mark.parametrize(
    ("others", "expected"),
    [
        (["N18.4"], ["I12.9", "N18.4"]),
        (["N18.6"], ["I12.0", "N18.6"]),
        (["N18.5"], ["I12.0", "N18.5"]),
        (["I50.22"], ["I11.0", "I50.22"]),
        (["I50.22", "N18.4"], ["I13.0", "I50.22", "N18.4"]),
        (["I50.32", "N18.6"], ["I13.2", "I50.32", "N18.6"]),
    ],
)
def test_hypertension_with_heart_failure_and_or_ckd(make, context, others, expected):
    out = apply_guidelines([make("I10", "HTN")] + [make(c, c) for c in others], context())
    assert codes(out) == expected  # the hypertensive combination sequenced first (code first note of I50/N18)
    assert f"-> {expected[0]} (Section I.C.9.a)" in out[0].rationale
    assert "I10" not in codes(out)


def test_hypertension_alone_stays_i10(make, context):
    assert codes(combination.apply([make("I10", "HTN"), make("E78.5", "HLD")], context())) == ["I10", "E78.5"]


def test_copd_with_exacerbation_gives_j44_1(make, context):
    note = "Assessment: COPD with acute exacerbation, start prednisone."
    out = apply_guidelines([make("J44.9", "COPD", note)], context(text=note))
    assert codes(out) == ["J44.1"]
    assert "COPD with acute exacerbation documented -> J44.1" in out[0].rationale


@pytest.mark.parametrize("note", ["COPD, stable on tiotropium.", "COPD; acute kidney injury resolved."])
def test_copd_without_exacerbation_stays(make, context, note):
    assert codes(apply_guidelines([make("J44.9", "COPD", note)], context(text=note))) == ["J44.9"]


def test_copd_with_pneumonia_gives_j44_0_plus_the_infection(make, context):
    note = "COPD. Right lower lobe pneumonia."
    out = apply_guidelines([make("J44.9", "COPD", note), make("J18.9", "pneumonia", note)], context(text=note))
    assert sorted(codes(out)) == ["J18.9", "J44.0"]


def test_diabetes_with_hyperglycemia_and_polyneuropathy(make, context):
    cands = [make("E11.9", "DM2"), make("R73.9", "hyperglycemia"), make("G62.9", "peripheral neuropathy")]
    out = apply_guidelines(cands, context())
    assert sorted(codes(out)) == ["E11.42", "E11.65"]


def test_diabetes_with_foot_ulcer_keeps_the_ulcer_site_code(make, context):
    out = apply_guidelines([make("E11.9", "DM2"), make("L97.519", "ulcer right foot")], context())
    assert sorted(codes(out)) == ["E11.621", "L97.519"]


def test_explicit_link_required_for_osteomyelitis(make, context):
    linked = "Diabetic osteomyelitis of the right foot."
    out = combination.apply(
        [make("E11.9", "Diabetic", linked), make("M86.9", "osteomyelitis", linked)], context(text=linked)
    )
    assert sorted(codes(out)) == ["E11.69", "M86.9"]
    unlinked = "Type 2 DM. Osteomyelitis of the toe after trauma."
    out = combination.apply(
        [make("E11.9", "Type 2 DM", unlinked), make("M86.9", "Osteomyelitis", unlinked)], context(text=unlinked)
    )
    assert sorted(codes(out)) == ["E11.9", "M86.9"]


def test_sepsis_with_localized_infection_and_organ_dysfunction(make, context):
    note = "Sepsis secondary to UTI with acute kidney injury."
    cands = [
        make("N39.0", "UTI", note, score=0.9),
        make("A41.9", "Sepsis", note, score=0.8),
        make("N17.9", "acute kidney injury", note),
    ]
    out = apply_guidelines(cands, context("inpatient", note))
    assert codes(out)[0] == "A41.9"  # sepsis sequenced first
    assert sorted(codes(out)) == ["A41.9", "N17.9", "N39.0", "R65.20"]
    assert "organ dysfunction N17.9 -> R65.20" in by_code(out, "R65.20").rationale


def test_septic_shock_gives_r65_21(make, context):
    note = "Septic shock from pneumonia, on norepinephrine."
    out = apply_guidelines(
        [make("A41.9", "Septic shock", note), make("J18.9", "pneumonia", note)], context("inpatient", note)
    )
    assert sorted(codes(out)) == ["A41.9", "J18.9", "R65.21"]


def test_sepsis_due_to_e_coli_uses_the_organism_code(make, context):
    note = "E. coli sepsis."
    out = apply_guidelines([make("A41.9", "sepsis", note), make("B96.20", "E. coli", note)], context("inpatient", note))
    assert codes(out)[0] == "A41.51"
    assert "A41.9" not in codes(out)


def test_severe_sepsis_alone_adds_the_underlying_sepsis_code(make, context):
    out = apply_guidelines([make("R65.20", "severe sepsis")], context("inpatient"))
    assert codes(out) == ["A41.9", "R65.20"]


def test_combination_tables_name_real_codes(store):
    cfg = load_yaml("combination.yaml")
    for cat in cfg["diabetes"]["categories"]:
        for row in cfg["diabetes"]["complications"]:
            assert store.is_valid("ICD-10-CM", row["condition"]), row
            if cat in ("E10", "E11"):
                assert store.is_billable("ICD-10-CM", f"{cat}{row['suffix']}"), (cat, row)
    for target in cfg["hypertension"]["targets"].values():
        assert store.is_billable("ICD-10-CM", target)
    sep = cfg["sepsis"]
    for code in [sep["unspecified"], sep["severe"], sep["septic_shock"], *sep["organisms"].values()]:
        assert store.is_billable("ICD-10-CM", code)
    for spec in sep["organ_dysfunction"] + cfg["copd"]["lower_respiratory_infections"]:
        lo = CodeSpec(spec).lo
        assert store.is_valid("ICD-10-CM", lo if len(lo) <= 3 else f"{lo[:3]}.{lo[3:]}"), spec


def test_new_combination_tables_name_real_codes(store):
    cfg = load_yaml("combination.yaml")
    dem = cfg["dementia"]
    for row in dem["etiologies"]:
        assert store.is_billable("ICD-10-CM", row["code"]), row
    for sev in [r["char"] for r in dem["severity"]] + [dem["unspecified_severity"]["to"]]:
        for beh in [r["suffix"] for r in dem["behaviour"]] + [dem["without_behaviour"]]:
            assert store.is_billable("ICD-10-CM", f"{dem['target']}.{sev}{beh}"), (sev, beh)
    inf = cfg["cerebral_infarction"]
    for artery in inf["arteries"]:
        group = artery["group"]
        for fourth in [c[group] for c in inf["causes"]] + [inf["unspecified_cause"][group]]:
            code = f"I63.{fourth}{artery['char']}"
            for side in sorted(set(inf["sides"].values()) | {inf["unspecified_side"]}) if artery["sided"] else [""]:
                assert store.is_billable("ICD-10-CM", code + side), (artery, code + side)
    crohn = cfg["crohn"]
    for site in crohn["site_chars"].values():
        assert store.is_billable("ICD-10-CM", f"K50.{site}0")
        for row in crohn["complications"]:
            assert store.is_billable("ICD-10-CM", f"K50.{site}1{row['char']}"), (site, row)
    for row in cfg["obstetric_findings"]["rows"]:
        assert store.is_billable("ICD-10-CM", row["code"]), row


def test_chronic_diabetes_from_past_history_combines_with_current_ckd(make, context):
    cands = [make("E11.9", "type 2 diabetes", assertion="historical"), make("N18.4", "CKD stage 4")]
    out = apply_guidelines(cands, context())
    assert codes(out) == ["E11.22", "N18.4"]
    assert by_code(out, "E11.22").assertion == "present"
    assert "chronic condition (diabetes mellitus) in past history" in by_code(out, "E11.22").rationale


def test_documented_unrelated_conditions_are_not_combined(make, context):
    note = "Hypertension. Heart failure due to viral cardiomyopathy, not due to hypertension."
    out = combination.apply(
        [make("I10", "Hypertension", note), make("I50.9", "Heart failure", note)], context(text=note)
    )
    assert sorted(codes(out)) == ["I10", "I50.9"]
    note = "Type 2 DM. CKD stage 4 from polycystic kidneys, not due to diabetes."
    cands = [make("E11.9", "Type 2 DM", note), make("N18.4", "CKD stage 4", note)]
    assert sorted(codes(combination.apply(cands, context(text=note)))) == ["E11.9", "N18.4"]


def test_diabetic_nephropathy_is_part_of_diabetic_ckd(make, context):
    note = "DM2 with diabetic nephropathy, CKD stage 3a."
    cands = [make("E11.21", "DM2 with diabetic nephropathy", note), make("N18.31", "CKD stage 3a", note)]
    out = combination.apply(cands, context(text=note))
    assert sorted(codes(out)) == ["E11.22", "N18.31"]


def test_osteomyelitis_in_diabetes_is_linked_in_its_clause(make, context):
    note = "Acute osteomyelitis of the left great toe (proximal phalanx) due to MRSA, in type 2 diabetes."
    cands = [make("E11.9", "type 2 diabetes", note), make("M86.172", "Acute osteomyelitis", note)]
    out = combination.apply(cands, context("inpatient", note))
    assert sorted(codes(out)) == ["B95.62", "E11.69", "M86.172"]  # the organism of the osteomyelitis too


def test_copd_with_exacerbation_and_pneumonia_gives_both_combinations(make, context):
    note = "COPD with acute exacerbation, with acute lower respiratory infection (pneumonia)."
    cands = [make("J44.1", "COPD with acute exacerbation", note), make("J22", "lower respiratory infection", note)]
    cands.append(make("J18.9", "pneumonia", note))
    out = combination.apply(cands, context("emergency", note))
    assert sorted(codes(out)) == ["J18.9", "J44.0", "J44.1"]  # J22 gives way to the pneumonia


def test_negated_septic_shock_gives_severe_sepsis_without_shock(make, context):
    note = "Sepsis due to E. coli. Severe sepsis with acute kidney injury (no septic shock). Acute pyelonephritis."
    cands = [make("A41.51", "Sepsis due to E. coli", note), make("R65.20", "Severe sepsis", note)]
    cands += [make("N17.9", "acute kidney injury", note), make("N10", "Acute pyelonephritis", note)]
    out = combination.apply(cands, context("inpatient", note))
    assert sorted(codes(out)) == ["A41.51", "B96.20", "N10", "N17.9", "R65.20"]
    assert by_code(out, "B96.20").rationale.startswith("rule: N10 with A41.51 -> B96.20")


def test_septic_shock_documented_is_kept(make, context):
    note = "Severe sepsis with septic shock, on norepinephrine."
    out = combination.apply([make("A41.9", "sepsis", note), make("R65.20", "Severe sepsis", note)], context(text=note))
    assert "R65.21" in codes(out) and "R65.20" not in codes(out)


def test_h_pylori_with_gastritis_is_the_agent_code(make, context):
    note = "Chronic gastritis. Helicobacter pylori infection."
    cands = [make("K29.50", "Chronic gastritis", note), make("A04.8", "Helicobacter pylori infection", note)]
    out = combination.apply(cands, context(text=note))
    assert sorted(codes(out)) == ["B96.81", "K29.50"]
    alone = "Helicobacter pylori infection."
    assert codes(combination.apply([make("A04.8", "Helicobacter pylori", alone)], context(text=alone))) == ["A04.8"]


@pytest.mark.parametrize(
    "note", ["Antral biopsies for H. pylori were taken.", "Biopsies: benign; H. pylori negative on histology."]
)
def test_agent_code_only_tested_for_is_dropped(make, context, note):
    out = combination.apply([make("B96.81", "H. pylori", note)], context(text=note))
    assert codes(out) == []


def test_organism_not_found_adds_no_agent_code(make, context):
    note = "Acute pyelonephritis, urine culture negative for E. coli."
    out = combination.apply([make("N10", "Acute pyelonephritis", note)], context("inpatient", note))
    assert codes(out) == ["N10"]


def test_febrile_neutropenia_due_to_chemotherapy(make, context):
    note = "Febrile neutropenia due to chemotherapy (ANC 200)."
    cands = [make("D70.9", "neutropenia", note), make("T45.1X5A", "Febrile neutropenia due to chemotherapy", note)]
    out = combination.apply(cands, context("inpatient", note))
    assert sorted(codes(out)) == ["D70.1", "R50.81", "T45.1X5A"]
    plain = "Neutropenia, mild, ANC 1200."
    assert codes(combination.apply([make("D70.9", "Neutropenia", plain)], context(text=plain))) == ["D70.9"]


def test_delivery_encounter_gives_in_childbirth_codes_and_no_o80(make, context):
    note = "Spontaneous vaginal delivery. Gestational diabetes, insulin-controlled. Obesity complicating pregnancy."
    cands = [make("O80", "delivery", note), make("Z37.0", "delivery", note), make("O24.414", "Gestational", note)]
    cands.append(make("O99.210", "Obesity complicating pregnancy", note))
    out = combination.apply(cands, context("inpatient", note))
    assert sorted(codes(out)) == ["O24.424", "O99.214", "Z37.0"]


def test_gestational_diabetes_without_delivery_stays_in_pregnancy(make, context):
    note = "Prenatal visit, 30 weeks. Gestational diabetes, insulin-controlled."
    out = combination.apply([make("O24.414", "Gestational diabetes", note)], context(text=note))
    assert codes(out) == ["O24.414"]


def test_esophageal_varices_in_portal_hypertension_are_secondary(make, context):
    note = "Portal hypertension with esophageal varices, no bleeding."
    cands = [make("K76.6", "Portal hypertension", note), make("I85.00", "esophageal varices", note)]
    out = combination.apply(cands, context(text=note))
    assert sorted(codes(out)) == ["I85.10", "K76.6"]


# Dementia in a disease classified elsewhere (G30/G31/G20 + F02)


def test_unspecified_dementia_with_alzheimer_in_its_clause_becomes_g30_plus_f02(make, context):
    note = "History: arthritis, dementia (Alzheimer type, mild) without behavioral disturbance."
    out = combination.apply([make("F03.A0", "dementia", note)], context(text=note))
    assert sorted(codes(out)) == ["F02.A0", "G30.9"]
    g30 = by_code(out, "G30.9")
    assert [s.text for s in g30.evidence] == ["dementia", "Alzheimer"]
    assert "dementia in G30.9 -> F02.A0" in by_code(out, "F02.A0").rationale


@pytest.mark.parametrize(
    ("f03", "f02"), [("F03.90", "F02.80"), ("F03.911", "F02.811"), ("F03.B11", "F02.B11"), ("F03.C2", "F02.C2")]
)
def test_f03_keeps_its_severity_and_behaviour_in_f02(make, context, f03, f02):
    note = "Dementia due to Lewy body disease."
    out = combination.apply([make(f03, "Dementia", note)], context(text=note))
    assert sorted(codes(out)) == [f02, "G31.83"]


def test_alzheimer_dementia_clause_gives_severity_and_agitation(make, context):
    note = "Assessment: Alzheimer's dementia, moderate, with agitation. Hypertension."
    out = apply_guidelines([make("G30.9", "Alzheimer's", note), make("I10", "Hypertension", note)], context(text=note))
    assert sorted(codes(out)) == ["F02.B11", "G30.9", "I10"]
    assert codes(out).index("G30.9") < codes(out).index("F02.B11")  # code first the etiology
    assert [s.text for s in by_code(out, "F02.B11").evidence] == ["Alzheimer's", "dementia"]


def test_alzheimer_disease_with_dementia_gives_f02_80(make, context):
    note = "Alzheimer disease with dementia, no behavioral disturbance."
    out = combination.apply([make("G30.9", "Alzheimer disease", note)], context(text=note))
    assert sorted(codes(out)) == ["F02.80", "G30.9"]


def test_parkinson_needs_dementia_documented_for_f02(make, context):
    with_dementia = "Parkinson's disease with dementia."
    out = combination.apply([make("G20.A1", "Parkinson's disease", with_dementia)], context(text=with_dementia))
    assert sorted(codes(out)) == ["F02.80", "G20.A1"]
    plain = "Parkinson's disease, on carbidopa-levodopa."
    assert codes(combination.apply([make("G20.A1", "Parkinson's disease", plain)], context(text=plain))) == ["G20.A1"]


def test_dementia_without_etiology_stays_f03(make, context):
    note = "PMH: dementia, depression, hypertension. Dementia type not determined, not Alzheimer's."
    out = combination.apply([make("F03.90", "dementia", note), make("F32.A", "depression", note)], context(text=note))
    assert sorted(codes(out)) == ["F03.90", "F32.A"]


# Cerebral infarction of a named artery (I63.0-I63.5)


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("Acute ischemic stroke, left MCA territory (M2 occlusion)", "I63.512"),
        ("Acute embolic stroke of the right posterior cerebral artery", "I63.431"),
        ("Cardioembolic infarct, R MCA, in the setting of atrial fibrillation", "I63.411"),
        ("Acute stroke, thrombotic occlusion of the left ACA", "I63.322"),
        ("Stroke in the MCA territory", "I63.519"),
        ("Acute stroke due to basilar artery thrombosis", "I63.02"),
        # inpatient: an uncertain cause is coded as if established (Section II.H)
        ("Acute stroke, left MCA, possible cardioembolic source", "I63.412"),
    ],
)
def test_infarct_of_a_named_artery(make, context, clause, expected):
    note = f"Assessment: {clause}. Hypertension."
    word = "infarct" if "infarct" in clause else "stroke"
    out = combination.apply([make("I63.9", word, note)], context("inpatient", note))
    assert codes(out) == [expected]
    assert out[0].evidence[0].text.lower() == word


def test_an_uncertain_cause_is_no_cause_outside_inpatient_care(make, context):
    note = "Assessment: Acute stroke, left MCA, possible cardioembolic source. Hypertension."
    out = combination.apply([make("I63.9", "stroke", note)], context("emergency", note))
    assert codes(out) == ["I63.512"]


def test_a_suspected_etiology_of_dementia_is_no_etiology_outside_inpatient_care(make, context):
    note = "A/P: Mild dementia, Alzheimer type suspected, never formally evaluated."
    assert codes(combination.apply([make("F03.A0", "dementia", note)], context("emergency", note))) == ["F03.A0"]
    out = combination.apply([make("F03.A0", "dementia", note)], context("inpatient", note))
    assert sorted(codes(out)) == ["F02.A0", "G30.9"]


def test_infarct_without_artery_stays_i63_9(make, context):
    note = "Acute cerebellar infarct. Right hemiparesis."
    assert codes(combination.apply([make("I63.9", "infarct", note)], context("inpatient", note))) == ["I63.9"]


# Crohn's disease site and complication (K50)


@pytest.mark.parametrize(
    ("clause", "code", "expected"),
    [
        ("Crohn's disease of ileum and colon, in remission", "K50.10", "K50.80"),
        ("Ileocolonic Crohn's disease with enterovesical fistula", "K50.90", "K50.813"),
        ("Crohn's disease of the terminal ileum with small bowel obstruction", "K50.90", "K50.012"),
        ("Crohn's colitis with rectal bleeding", "K50.90", "K50.111"),
        ("Crohn's disease of small and large intestine, no abscess or fistula", "K50.90", "K50.80"),
        ("Crohn's disease of the ileum, admitted twice for episodes of obstruction", "K50.90", "K50.00"),
    ],
)
def test_crohn_site_and_complication(make, context, clause, code, expected):
    note = f"Assessment: {clause}. Continue infliximab."
    out = combination.apply([make(code, "Crohn's", note)], context(text=note))
    assert codes(out) == [expected]


def test_crohn_without_site_keeps_its_code(make, context):
    note = "Crohn's disease, stable on adalimumab."
    assert codes(combination.apply([make("K50.90", "Crohn's disease", note)], context(text=note))) == ["K50.90"]


# Findings of a pregnancy in chapter 15 (O99.82-, O70)


def test_gbs_carrier_in_delivery_gives_o99_824_and_laceration_o70(make, context):
    note = (
        "Spontaneous vaginal delivery at 39 weeks. GBS positive at 36 weeks; penicillin in labor. "
        "Second-degree perineal laceration, repaired. Diagnoses: group B strep carrier."
    )
    cands = [
        make("Z37.0", "delivery", note),
        make("O80", "delivery", note),
        make("Z22.330", "group B strep carrier", note),
    ]
    out = combination.apply(cands, context("inpatient", note))
    assert sorted(codes(out)) == ["O70.1", "O99.824", "Z37.0"]
    assert [s.text for s in by_code(out, "O99.824").evidence] == ["GBS positive", "group B strep carrier"]
    assert [s.text for s in by_code(out, "O70.1").evidence] == ["Second-degree perineal laceration"]


def test_gbs_carrier_before_delivery_gives_o99_820_and_no_laceration_code(make, context):
    note = "Prenatal visit at 36 weeks. GBS positive on rectovaginal culture. Prior first-degree laceration."
    out = combination.apply([make("Z3A.36", "36 weeks", note)], context(text=note))
    assert sorted(codes(out)) == ["O99.820", "Z3A.36"]


def test_highest_laceration_degree_and_no_finding_without_pregnancy(make, context):
    note = "Vaginal delivery. Third-degree perineal laceration (3b), repaired; no fourth-degree tear. GBS negative."
    out = combination.apply([make("Z37.0", "delivery", note)], context("inpatient", note))
    assert sorted(codes(out)) == ["O70.22", "Z37.0"]
    other = "Adult man, GBS positive culture of wound; second-degree tear of ankle ligament."
    assert codes(combination.apply([make("I10", "", other)], context(text=other))) == ["I10"]


def test_diabetes_with_hypoglycemia_keeps_the_level(make, context):
    note = "Type 2 DM. Hypoglycemia level 2, glucose 48, treated with juice."
    cands = [make("E11.9", "Type 2 DM", note), make("E16.A2", "Hypoglycemia level 2", note)]
    out = combination.apply(cands, context(text=note))
    assert sorted(codes(out)) == ["E11.649", "E16.A2"]
    assert [s.text for s in by_code(out, "E11.649").evidence] == ["Type 2 DM", "Hypoglycemia level 2"]


def test_diabetes_with_hypoglycemic_coma(make, context):
    note = "Type 1 DM. Hypoglycemia with coma on arrival."
    cands = [make("E10.9", "Type 1 DM", note), make("E16.2", "Hypoglycemia", note)]
    assert codes(combination.apply(cands, context(text=note))) == ["E10.641"]


def test_nihss_initial_score_with_acute_infarction(make, context):
    note = "Acute ischemic stroke, left MCA. NIHSS 9 on arrival, NIHSS 4 at 24 h."
    out = combination.apply([make("I63.512", "Acute ischemic stroke", note)], context("inpatient", text=note))
    assert sorted(codes(out)) == ["I63.512", "R29.709"]
    assert [s.text for s in by_code(out, "R29.709").evidence] == ["NIHSS 9"]


def test_nihss_without_infarction_adds_nothing(make, context):
    note = "TIA, symptoms resolved. NIH stroke scale 0."
    out = combination.apply([make("G45.9", "TIA", note)], context(text=note))
    assert codes(out) == ["G45.9"]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Type 2 DM, poorly controlled (A1c 10.2).", ["E11.65"]),
        ("Type 2 DM, well controlled. BPH poorly controlled on tamsulosin.", ["E11.9"]),
    ],
)
def test_poorly_controlled_diabetes_is_with_hyperglycemia(make, context, note, expected):
    out = combination.apply([make("E11.9", "Type 2 DM", note)], context(text=note))
    assert codes(out) == expected
    assert out[0].evidence[0].text == "Type 2 DM"


@pytest.mark.parametrize(
    ("note", "stroke", "deficit", "expected"),
    [
        # Section I.C.9.d: the residual deficit of an old stroke is I69.-, with its side and dominance (I.C.6.a)
        ("A/P: Old stroke with residual right hemiparesis.", ("I63.9", "stroke"), ("G81.9", "hemiparesis"), "I69.351"),
        ("PMH: prior CVA with residual left-sided weakness.", ("I63.9", "CVA"), ("R53.1", "weakness"), "I69.354"),
        ("PMH: history of CVA with residual aphasia.", ("I63.9", "CVA"), ("R47.01", "aphasia"), "I69.320"),
        ("Exam: right hemiparesis from her remote stroke.", ("I63.9", "stroke"), ("G81.9", "hemiparesis"), "I69.351"),
        (
            "Left-handed. Prior stroke with residual left hemiparesis.",
            ("I63.9", "stroke"),
            ("G81.9", "hemiparesis"),
            "I69.352",
        ),
        # a hemorrhage's sequela by its kind
        (
            "PMH: intracerebral hemorrhage 2019 with residual left hemiparesis.",
            ("I61.9", "intracerebral hemorrhage"),
            ("G81.9", "hemiparesis"),
            "I69.154",
        ),
        (
            "PMH: subarachnoid hemorrhage with residual aphasia.",
            ("I60.9", "subarachnoid hemorrhage"),
            ("R47.01", "aphasia"),
            "I69.020",
        ),
    ],
)
def test_residual_deficit_of_an_old_stroke_is_a_sequela(make, context, note, stroke, deficit, expected):
    assertion = "historical" if note.startswith("PMH") else "present"
    cands = [make(*stroke, note, assertion=assertion), make(*deficit, note, assertion=assertion)]
    out = apply_guidelines(cands, context(text=note))
    assert codes(out) == [expected]  # no Z86.73, no G81.x / R47.01 beside the sequela
    assert sorted(s.text for s in out[0].evidence) == sorted([stroke[1], deficit[1]])
    assert "Section I.C.9.d" in out[0].rationale


def test_dysphagia_of_an_old_stroke_keeps_its_own_code(make, context):
    note = "PMH: old stroke with residual dysphagia."
    cands = [
        make("I63.9", "stroke", note, assertion="historical"),
        make("R13.10", "dysphagia", note, assertion="historical"),
    ]
    out = apply_guidelines(cands, context(text=note))
    assert sorted(codes(out)) == ["I69.391", "R13.10"]  # I69.391: use additional code for the type of dysphagia


def test_old_stroke_with_residual_deficits_unnamed_is_unspecified_sequela(make, context):
    note = "PMH: CVA in 2018 with residual deficits."
    out = apply_guidelines([make("I63.9", "CVA", note, assertion="historical")], context(text=note))
    assert codes(out) == ["I69.30"]


@pytest.mark.parametrize(
    ("note", "stroke", "expected"),
    [
        # no residual deficit: the history code
        ("PMH: history of CVA without residual deficits, hemiparesis.", "CVA", ["Z86.73"]),
        ("PMH: history of CVA with hemiparesis, fully recovered.", "CVA", ["Z86.73"]),
        # a new deficit in a patient with an old stroke is no sequela
        ("History of stroke, now presents with new right hemiparesis.", "stroke", ["G81.91", "Z86.73"]),
        # a current stroke with its deficit: the deficit's own side ("left MCA", "right hemiparesis")
        ("Acute left MCA stroke with right hemiparesis.", "stroke", ["G81.91", "I63.512"]),
    ],
)
def test_no_sequela_without_a_residual_deficit_of_an_old_stroke(make, context, note, stroke, expected):
    label = "present" if note.startswith("Acute") else "historical"
    cands = [make("I63.9", stroke, note, assertion=label), make("G81.9", "hemiparesis", note)]
    if "PMH" in note:
        cands[1].assertion = "historical"
    out = apply_guidelines(cands, context(text=note))
    assert sorted(codes(out)) == expected


def test_old_stroke_history_stays_apart_from_a_current_stroke(make, context):
    # the sequela rule runs before the assertion rules: a past stroke is not merged into the current one
    note = "PMH: old cerebellar infarct, no residual deficits.\nA/P: acute stroke with aphasia."
    cands = [make("I63.9", "infarct", note, assertion="historical"), make("I63.9", "stroke", note)]
    cands.append(make("R47.01", "aphasia", note))
    assert sorted(codes(apply_guidelines(cands, context(text=note)))) == ["I63.9", "R47.01", "Z86.73"]


def test_hydronephrosis_with_a_stone_in_its_clause_is_n13_2(make, context):
    note = "Obstructing left ureteral stone, 6 mm, with moderate hydronephrosis - no fever."
    cands = [make("N20.1", "ureteral stone", note, score=0.9), make("N13.30", "hydronephrosis", note, score=0.95)]
    out = combination.apply(cands, context(text=note))
    assert codes(out) == ["N13.2"]
    assert [s.text for s in out[0].evidence] == ["ureteral stone", "hydronephrosis"]


def test_hydronephrosis_and_a_stone_in_other_sentences_stay_apart(make, context):
    note = "Left kidney stone. Right hydronephrosis from a pelvic mass."
    cands = [make("N20.0", "kidney stone", note), make("N13.30", "hydronephrosis", note)]
    assert sorted(codes(combination.apply(cands, context(text=note)))) == ["N13.30", "N20.0"]


def test_appendicitis_with_a_perforation_in_its_clause_is_k35_32(make, context):
    note = "Postop diagnosis: gangrenous appendicitis with perforation and localized peritonitis."
    cands = [make("K35.891", "gangrenous appendicitis", note, score=0.9), make("K63.1", "perforation", note)]
    out = combination.apply(cands, context(text=note, setting="inpatient"))
    assert codes(out) == ["K35.32"]
    assert [s.text for s in out[0].evidence] == ["gangrenous appendicitis", "perforation"]


def test_perforated_appendicitis_with_an_abscess_is_left_to_the_index(make, context):
    note = "Acute appendicitis with perforation and a pelvic abscess."
    cands = [make("K35.80", "Acute appendicitis", note, score=0.9), make("K63.1", "perforation", note)]
    out = combination.apply(cands, context(text=note, setting="inpatient"))
    assert sorted(codes(out)) == ["K35.80", "K63.1"]


@pytest.mark.parametrize(
    ("first", "second", "note", "kept"),
    [
        (
            ("I50.32", "chronic diastolic CHF"),
            ("I50.33", "acute on chronic diastolic heart failure"),
            "PMH: chronic diastolic CHF.\nA/P: acute on chronic diastolic heart failure, diurese.",
            "I50.33",
        ),
        (
            ("S62.101D", "wrist fx"),
            ("S52.531D", "Colles fracture"),
            "CC: f/u R wrist fx.\nA/P: R Colles fracture, routine healing.",
            "S52.531D",
        ),
    ],
)
def test_a_code_gives_way_to_the_one_that_states_it(make, context, first, second, note, kept):
    cands = [make(first[0], first[1], note), make(second[0], second[1], note)]
    assert codes(combination.apply(cands, context(text=note))) == [kept]


@pytest.mark.parametrize(
    ("clause", "agent", "expected"),
    [
        ("Klebsiella pneumonia, right lower lobe.", "B96.1", "J15.0"),
        ("Pneumonia due to Pseudomonas, on cefepime.", "B96.5", "J15.1"),
        ("MRSA pneumonia, on vancomycin.", "B95.62", "J15.212"),
        ("Haemophilus influenzae pneumonia of the left base.", "B96.3", "J14"),
    ],
)
def test_an_organism_in_the_clause_of_a_pneumonia_gives_its_pneumonia_code(make, context, clause, agent, expected):
    note = f"Assessment: {clause}"
    word = clause.split()[0].rstrip(",")
    cands = [make("J18.9", "pneumonia", note), make(agent, word, note)]
    out = apply_guidelines(cands, context("inpatient", text=note))
    assert codes(out) == [expected]  # the organism is in the combination code: no agent code beside it
    pneumonia = by_code(out, expected)
    assert "pneumonia due to the organism named in its clause" in pneumonia.rationale
    assert pneumonia.evidence[0].text.lower() == "pneumonia"


def test_a_denied_or_tested_organism_leaves_the_pneumonia_unspecified(make, context):
    note = "Assessment: community-acquired pneumonia, MRSA nares negative."
    out = apply_guidelines([make("J18.9", "pneumonia", note)], context("inpatient", text=note))
    assert codes(out) == ["J18.9"]


def test_the_agent_code_stays_for_another_infection_of_the_organism(make, context):
    note = "Assessment: Klebsiella pneumonia. Pyelonephritis due to Klebsiella."
    cands = [make("J18.9", "pneumonia", note), make("N10", "Pyelonephritis", note), make("B96.1", "Klebsiella", note)]
    out = apply_guidelines(cands, context("inpatient", text=note))
    assert sorted(codes(out)) == ["B96.1", "J15.0", "N10"]


@pytest.mark.parametrize(
    ("flu", "pneumonia", "expected"),
    [
        ("J10.1", "J12.9", ["J10.01"]),  # "influenza A viral pneumonia": the same virus's pneumonia
        ("J10.1", "J18.9", ["J10.00"]),
        ("J11.1", "J18.9", ["J11.00"]),
        ("J10.1", "J15.1", ["J10.08", "J15.1"]),  # another specified pneumonia is coded beside it
    ],
)
def test_influenza_with_pneumonia_is_one_combination_code(make, context, flu, pneumonia, expected):
    note = "Impression: influenza with pneumonia of both lower lobes."
    cands = [make(flu, "influenza", note), make(pneumonia, "pneumonia", note)]
    out = combination.apply(cands, context("inpatient", text=note))
    assert sorted(codes(out)) == expected
    combo = by_code(out, expected[0])
    assert f"influenza ({flu}) with pneumonia ({pneumonia}) -> {expected[0]}" in combo.rationale
    assert {s.text for s in combo.evidence} >= {"influenza"}


def test_an_unspecified_pneumonia_gives_way_to_the_organism_pneumonia(make, context):
    note = "CXR: RLL pneumonia. Assessment: Streptococcus pneumoniae pneumonia."
    cands = [make("J18.9", "pneumonia", note), make("J13", "Streptococcus pneumoniae pneumonia", note)]
    assert codes(apply_guidelines(cands, context("inpatient", text=note))) == ["J13"]


def test_a_parapneumonic_effusion_is_j91_8(make, context):
    note = "CXR: moderate left pleural effusion. Impression: parapneumonic effusion; RLL pneumonia."
    cands = [make("J90", "pleural effusion", note), make("J18.9", "pneumonia", note)]
    out = combination.apply(cands, context("inpatient", text=note))
    assert sorted(codes(out)) == ["J18.9", "J91.8"]
    assert "parapneumonic effusion" in {s.text for s in by_code(out, "J91.8").evidence}


def test_a_pleural_effusion_without_parapneumonic_words_stays_j90(make, context):
    note = "CXR: moderate left pleural effusion, no parapneumonic effusion. RLL pneumonia."
    cands = [make("J90", "pleural effusion", note), make("J18.9", "pneumonia", note)]
    assert "J90" in codes(combination.apply(cands, context("inpatient", text=note)))


def test_nausea_and_vomiting_documented_apart_give_r11_2(make, context):
    note = "He reports nausea since this morning. He vomited three times tonight."
    out = combination.apply([make("R11.0", "nausea", note), make("R11.10", "vomited", note)], context(text=note))
    assert codes(out) == ["R11.2"]
    assert [note[s.start : s.end] for s in out[0].evidence] == ["nausea", "vomited"]


def test_nausea_alone_stays_r11_0(make, context):
    note = "Mild nausea, no vomiting."
    out = combination.apply(
        [make("R11.0", "nausea", note), make("R11.10", "vomiting", note, assertion="negated")], context(text=note)
    )
    assert "R11.2" not in codes(out)
