"""Misreadings found in reviews, coded end to end on made-up one-line notes: a negative lab result, a defibrillation
shock, a past episode dated by its year, a history of gestational diabetes, spinal levels as regions, the two
readings of TBI, scabies, A-fib written apart, the documented type of diabetes, knee ligament abbreviations and the
Reflexes exam heading."""

import pytest

from tests.coding.helpers import coded


@pytest.mark.parametrize(
    ("note", "code", "span"),
    [
        ("Past history: PE in 2018 on no treatment.", "Z86.711", "PE"),
        ("Past history: h/o GDM.", "Z86.32", "GDM"),
        ("Past history: hx of gestational DM.", "Z86.32", "gestational DM"),
        ("MRI: L4-L5 disc extrusion with radiculopathy.", "M51.16", None),
        ("Assessment: L5-S1 disc herniation with radiculopathy.", "M51.17", "herniation"),
        ("History of TBI after a fall, with memory problems.", "Z87.820", "TBI"),
        ("Skin: scabies on the hands with burrows.", "B86", "scabies"),
        ("Assessment: A-fib with RVR.", "I48.91", "A-fib"),
        ("Assessment: A. fib on apixaban.", "I48.91", "A. fib"),
        ("Assessment: V-tach.", "I47.20", "V-tach"),
        ("Assessment: DKA in a patient with type 1 diabetes.", "E10.10", "DKA"),
        ("Assessment: T1DM with DKA.", "E10.10", "DKA"),
        ("Assessment: Type 2 diabetes with DKA.", "E11.10", None),
        ("Neuro: hyperactive reflexes in both legs.", "R29.2", "hyperactive reflexes"),
    ],
)
def test_misreading_is_coded(engine, note, code, span):
    codes = coded(engine, note)
    assert code in codes, sorted(codes)
    if span is not None:
        assert any(e["text"] == span and note[e["start"] : e["end"]] == span for e in codes[code]["evidence"])


@pytest.mark.parametrize(
    ("note", "absent"),
    [
        ("Labs: HIV neg. Hepatitis panel pending.", "B20"),
        ("HIV screen nonreactive. RPR non-reactive.", "B20"),
        ("Code blue: biphasic shock 200 J delivered, ROSC achieved.", "R57.9"),
        ("Past history: DTs in 2021, sober since.", "F10.231"),
        ("Past history: seizure in 2019, none since.", "R56.9"),
        ("Past history: PE in 2018 on no treatment.", "I26.99"),
        ("Vascular exam: ABI 0.9, TBI 0.45 on the right.", "S06.9X9A"),
        ("Skin: scabies on the hands with burrows.", "R23.4"),
        ("Assessment: DKA in a patient with type 1 diabetes.", "E11.10"),
        ("Neuro exam: Reflexes: 2+ and symmetric. Strength 5/5.", "R29.2"),
    ],
)
def test_misreading_is_not_coded(engine, note, absent):
    assert absent not in coded(engine, note)


def test_an_acl_sprain_is_a_knee_sprain(engine):
    codes = coded(engine, "Assessment: Right ACL sprain after a soccer injury.")
    assert any(c.startswith("S83.") for c in codes), sorted(codes)
    assert not any(c.startswith(("S43.5", "T14.9")) for c in codes), sorted(codes)
