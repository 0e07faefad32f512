"""Encounter-reason Z codes (aftercare, counseling, follow-up) only from the reason for the visit."""

from __future__ import annotations

import pytest

from cac.coding.guidelines import encounter
from tests.coding.guidelines.helpers import by_code, codes, held


def _in(cand, *sections):
    cand.sections = list(sections)
    return cand


def test_a_planned_suture_removal_is_held(make, context):
    note = "Plan: wound care reviewed. Suture removal in 7 days."
    out = encounter.apply([_in(make("Z48.02", "Suture removal", note), "plan")], context(text=note))
    assert codes(out) == [] and held(out) == ["Z48.02"]
    assert "encounter-reason code" in out[0].rationale


def test_a_suture_removal_visit_is_coded(make, context):
    note = "Chief complaint: suture removal, laceration repaired 10 days ago."
    out = encounter.apply([_in(make("Z48.02", "suture removal", note), "chief_complaint")], context(text=note))
    assert codes(out) == ["Z48.02"]


def test_counseling_in_the_assessment_is_held_and_other_codes_are_untouched(make, context):
    note = "Assessment: 1. Tobacco dependence, cigarettes - cessation counseling 5 min today."
    cands = [
        _in(make("Z71.9", "counseling", note), "assessment"),
        _in(make("F17.210", "Tobacco dependence, cigarettes", note), "assessment"),
    ]
    out = encounter.apply(cands, context(text=note))
    assert codes(out) == ["F17.210"] and held(out) == ["Z71.9"]


def test_a_well_child_check_without_other_conditions_is_z00_129(make, context):
    note = "2-month well child check. Growing well. Vaccines today: DTaP, IPV."
    out = encounter.apply([], context(text=note))
    assert codes(out) == ["Z00.129"] and out[0].evidence[0].text == "well child"


def test_a_well_child_check_with_a_current_condition_is_z00_121(make, context):
    note = "WCC 15 months. Assessment: well child; atopic dermatitis of both elbows."
    out = encounter.apply([make("L20.9", "atopic dermatitis", note)], context(text=note))
    assert sorted(codes(out)) == ["L20.9", "Z00.121"]
    assert next(c for c in out if c.code == "Z00.121").evidence[0].text == "WCC"


@pytest.mark.parametrize(
    ("note", "code"),
    [("Newborn well visit, 5-day-old girl.", "Z00.110"), ("Newborn well visit, 12 days old.", "Z00.111")],
)
def test_a_newborn_check_by_age_in_days(context, note, code):
    assert codes(encounter.apply([], context(text=note))) == [code]


def test_a_sick_visit_that_plans_a_well_visit_is_no_exam(make, context):
    note = "Strep pharyngitis. BMI 97th percentile - recheck at well visit."
    out = encounter.apply([make("J02.0", "Strep pharyngitis", note)], context(text=note))
    assert codes(out) == ["J02.0"]


def test_an_adult_annual_physical_without_other_conditions_is_z00_00(context):
    note = "Chief complaint: annual physical.\nHPI: 45 yo man here for his annual physical. No complaints."
    out = encounter.apply([], context(text=note))
    assert codes(out) == ["Z00.00"] and out[0].evidence[0].text == "annual physical"


def test_an_adult_health_maintenance_exam_with_a_current_condition_is_z00_01(make, context):
    note = "62 yo woman for routine adult health maintenance exam. Hypertension, controlled on amlodipine."
    out = encounter.apply([make("I10", "Hypertension", note)], context(text=note))
    assert sorted(codes(out)) == ["I10", "Z00.01"]
    assert by_code(out, "Z00.01").evidence[0].text == "routine adult health maintenance exam"


def test_a_teenager_s_annual_physical_is_a_child_exam(context):
    note = "15 yo girl here for annual physical. Doing well in school."
    assert codes(encounter.apply([], context(text=note))) == ["Z00.129"]


@pytest.mark.parametrize(
    "note",
    [
        "58 yo man with a murmur found on routine physical exam, here for echo review.",
        "40 yo woman for her annual gyn exam and pap smear.",
        "Knee pain since her last annual physical. Due for annual physical in March.",
        "35 yo man for a routine eye exam.",
    ],
)
def test_an_exam_referred_to_or_of_another_kind_is_no_general_exam(context, note):
    assert codes(encounter.apply([], context(text=note))) == []


NEWBORN = (
    "NEWBORN DISCHARGE SUMMARY\nBaby girl, born 03/02 in this hospital by SVD, DOL 3. GA 39w2d.\n"
    "Maternal hx: gestational diabetes on diet. Apgars 8/9.\nDx: term female infant; neonatal jaundice."
)


def test_a_newborn_birth_record_gets_z38_and_no_mother_codes(make, context):
    cands = [
        make("O24.410", "gestational diabetes", NEWBORN),
        make("Z3A.39", "39w2d", NEWBORN),
        make("Z37.0", "Apgars 8/9", NEWBORN),
        make("P59.9", "neonatal jaundice", NEWBORN),
    ]
    out = encounter.apply(cands, context("inpatient", text=NEWBORN))
    assert sorted(codes(out)) == ["P59.9", "Z38.00"]
    assert sorted(held(out)) == ["O24.410", "Z37.0", "Z3A.39"]
    z38 = next(c for c in out if c.code == "Z38.00")
    assert z38.evidence[0].text.startswith("born 03/02 in this hospital")


def test_a_newborn_born_by_cesarean_is_z38_01(context):
    note = NEWBORN.replace("by SVD", "by repeat C-section")
    assert codes(encounter.apply([], context("inpatient", text=note))) == ["Z38.01"]


def test_a_delivery_record_is_no_newborn_record(make, context):
    note = "DELIVERY NOTE\n32 yo G2P1 at 39w2d. Delivered a viable baby girl by SVD, Apgars 8/9."
    cands = [make("Z37.0", "viable baby girl", note), make("Z3A.39", "39w2d", note)]
    out = encounter.apply(cands, context("inpatient", text=note))
    assert sorted(codes(out)) == ["Z37.0", "Z3A.39"]


def test_the_mothers_earlier_cesarean_does_not_make_a_vaginal_birth_cesarean(context):
    note = NEWBORN.replace("Maternal hx:", "Maternal hx: prior C-section 2021,")
    assert codes(encounter.apply([], context("inpatient", text=note))) == ["Z38.00"]


def test_a_newborn_observed_for_sepsis_that_was_ruled_out_gets_z05_1(context):
    from cac.coding.guidelines import encounter

    note = (
        "NEWBORN DISCHARGE SUMMARY\nBaby boy, born in this hospital.\n# GBS exposure: observed 48 h, sepsis ruled out."
    )
    out = {c.code: c for c in encounter.apply([], context("inpatient", note))}
    assert "Z05.1" in out
    assert out["Z05.1"].evidence[0].text == "sepsis ruled out"


def test_a_newborn_of_a_mother_with_gestational_diabetes_is_p70_0(make, context):
    from cac.coding.guidelines import encounter

    note = "NEWBORN DISCHARGE SUMMARY\nBaby girl, born in this hospital. Mother: GDM, A2.\n# IDM: glucose 38 at 1 h."
    out = encounter.apply([make("P70.1", "IDM", note)], context("inpatient", note))
    assert "P70.0" in {c.code for c in out} and "P70.1" not in {c.code for c in out}
