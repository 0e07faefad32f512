"""Encounter-reason Z codes (aftercare, counseling, follow-up) only from the reason for the visit."""

from __future__ import annotations

from cac.coding.guidelines import encounter
from tests.coding.guidelines.helpers import codes, held


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
