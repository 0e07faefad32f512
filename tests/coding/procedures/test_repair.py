"""Wound repair: lengths summed per complexity class and anatomic group."""

from __future__ import annotations

import pytest

from cac.coding.procedures.repair import codes_for


@pytest.mark.parametrize(
    ("klass", "group", "length", "expected"),
    [
        ("simple", "trunk_extremities", 2.5, [("12001", 1)]),
        ("simple", "trunk_extremities", 4.5, [("12002", 1)]),
        ("simple", "face", 3.0, [("12013", 1)]),
        ("intermediate", "scalp_trunk_extremities", 7.6, [("12034", 1)]),
        ("intermediate", "face", 2.0, [("12051", 1)]),
        ("complex", "trunk", 12.0, [("13101", 1), ("13102", 1)]),
    ],
)
def test_length_bands(klass, group, length, expected):
    assert codes_for(klass, group, length) == expected


def test_total_length_simple_repair(propose):
    got = propose(
        "Exam: 4.5 cm linear laceration, volar L forearm.\nProcedure: Simple repair of laceration. "
        "Closed with 7 interrupted 4-0 nylon sutures. Total length repaired 4.5 cm.",
        setting="emergency",
    )
    assert "12002" in got
    assert "size: 4.5 cm" in got["12002"].rationale


def test_lengths_summed_within_group(propose):
    got = propose(
        "Procedure: laceration repair. A 2 cm laceration of the right forearm and a 3 cm laceration of the left "
        "thigh were closed with simple interrupted sutures.",
        setting="emergency",
    )
    assert "12002" in got and "12001" not in got
    assert "5 cm" in got["12002"].rationale


def test_groups_not_summed_across_anatomic_groups(propose):
    got = propose(
        "Procedure: simple repair. 2 cm laceration of the forehead and 3 cm laceration of the scalp repaired "
        "with sutures.",
        setting="emergency",
    )
    assert "12011" in got and "12002" in got


def test_layered_closure_is_intermediate(propose):
    got = propose(
        "Procedure: 4 cm laceration of the left forearm repaired with layered closure, deep 4-0 Vicryl sutures "
        "and 5-0 nylon.",
        setting="emergency",
    )
    assert "12032" in got and "12002" not in got


def test_several_lengths_in_one_sentence_are_summed(propose):
    got = propose(
        "Laceration 3 cm R hand and 2 cm R forearm. Procedure: simple repair of both lacerations with 5-0 nylon.",
        setting="emergency",
    )
    assert "12002" in got and "12001" not in got
    assert "size: 5 cm" in got["12002"].rationale
