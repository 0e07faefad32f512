"""HCPCS drugs: dose parsed from the note and mapped to billing units of the HCPCS description."""

from __future__ import annotations

import pytest

from cac.coding.procedures.drugs import billing_units, per_unit
from tests.coding.procedures.helpers import billed_units


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Injection, ketorolac tromethamine, per 15 mg", (15.0, "mg")),
        ("Injection, diphenhydramine hcl, up to 50 mg", (50.0, "mg")),
        ("Injection, ceftriaxone sodium, per 250 mg", (250.0, "mg")),
        ("Infusion, normal saline solution, 250 cc", (250.0, "ml")),
        ("Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg", (1.0, "mg")),
        ("Injection, penicillin g benzathine, 100,000 units", (100000.0, "units")),
    ],
)
def test_per_unit_from_description(title, expected):
    assert per_unit(title) == expected


def test_billing_units_round_up():
    assert billing_units(30, 15) == 2
    assert billing_units(20, 15) == 2
    assert billing_units(4, 1) == 4
    assert billing_units(10, 50) == 1


@pytest.mark.parametrize(
    ("text", "code", "units"),
    [
        ("ED course: Ketorolac 30 mg IM given for pain.", "J1885", 2),
        ("Toradol 15mg IM given.", "J1885", 1),
        ("Ondansetron 4 mg IV push given for nausea.", "J2405", 4),
        ("Ceftriaxone 1 g IM administered in the ED.", "J0696", 4),
        ("Solu-Medrol 125 mg IV given.", "J2930", 1),
        ("Normal saline 1 L bolus IV given.", "J7050", 4),
        ("Lorazepam 2 mg IV x2 given for seizure.", "J2060", 2),
        ("Magnesium sulfate 2 g IV infused over 20 minutes.", "J3475", 4),
    ],
)
def test_drug_units(propose, hcpcs, text, code, units):
    got = propose(text, setting="emergency")
    assert code in got, sorted(got)
    assert billed_units(got[code]) == units
    assert got[code].score >= 0.8


def test_im_injection_gets_administration_code(propose, hcpcs):
    got = propose("Methylprednisolone acetate 80 mg IM given in clinic (R deltoid).")
    assert "J1040" in got and "96372" in got
    assert "route: im" in got["J1040"].rationale


def test_iv_push_first_and_additional(propose, hcpcs):
    got = propose("In clinic: ondansetron 4 mg IV push, then famotidine 20 mg IV push given.")
    assert "96374" in got and "96375" in got
    assert got["96374"].score >= 0.8


def test_vaccine_product_and_administration(propose, hcpcs):
    got = propose("Tdap 0.5 mL IM given L deltoid by RN.", setting="emergency")
    assert "90715" in got and "90471" in got
    hep = propose("Hep B vaccine first dose given today (Heplisav-B IM).")
    assert "G0010" in hep


def test_infusion_is_the_initial_service_with_additional_hours(propose, hcpcs):
    got = propose("In clinic: ondansetron 4 mg IV push, then vancomycin 1 g IV infused over 2 hours.")
    assert "96365" in got and "96366" in got and "96375" in got
    assert "96374" not in got  # the infusion, not the push, is the initial service
    assert "J3370" in got and billed_units(got["J3370"]) == 2


def test_repeated_im_injections_are_counted(propose, hcpcs):
    got = propose("Ceftriaxone 500 mg IM given. Ketorolac 30 mg IM given.")
    assert billed_units(got["96372"]) == 2
    assert len(got["96372"].evidence) == 2
