"""The rule data files load, and the codes they name exist in the active releases (PCS) or are well formed."""

from __future__ import annotations

import re

from cac.coding.procedures.cpt_rules import families
from cac.coding.procedures.drugs import drug_lines
from cac.coding.procedures.pcs_rules import axes, pcs_families


def test_fixed_pcs_templates_are_valid_codes(store):
    fixed = [f.template for f in pcs_families() if "{" not in f.template]
    assert fixed
    assert [c for c in fixed if not store.is_valid("ICD-10-PCS", c)] == []


def test_every_pcs_slot_has_an_axis_table():
    tables = axes()
    for family in pcs_families():
        for slot in re.findall(r"\{(\w+)", family.template):
            assert family.slots.get(slot, slot) in tables, (family.name, slot)


def test_cpt_rule_codes_are_cpt_numbers():
    codes = [c for f in families() for c in [f.base, *(x.code for x in f.choose), *(x.code for x in f.add)] if c]
    assert len(codes) > 100
    assert all(re.fullmatch(r"\d{4}[0-9FTU]", c) for c in codes)


def test_drug_preferred_codes_exist(store, imported):
    if not imported:
        import pytest

        pytest.skip("HCPCS release not imported")
    preferred = {c for line in drug_lines() for c in line.prefer}
    assert [c for c in sorted(preferred) if not store.is_valid("HCPCS", c)] == []


def test_every_cpt_code_of_the_rule_files_has_a_builtin_label():
    """A rule can only propose a code the store knows: every CPT number in the rule files is in cac's own list."""
    import csv
    from importlib import resources

    text = resources.files("cac.codesets").joinpath("resources/cpt_common.tsv").read_text(encoding="utf-8")
    builtin = {row["code"] for row in csv.DictReader(text.splitlines(), delimiter="\t")}
    folder = resources.files("cac.coding.procedures.resources")
    named: set[str] = set()
    for name in (
        "cpt_rules.yaml",
        "cpt_surgery.yaml",
        "cpt_medicine.yaml",
        "radiology.yaml",
        "excision.yaml",
        "repair.yaml",
        "vaccines.yaml",
    ):
        named |= set(re.findall(r"'(\d{4}[0-9FTU])'", folder.joinpath(name).read_text(encoding="utf-8")))
    assert len(named) > 500
    assert sorted(named - builtin) == []


def test_pcs_family_count_and_radiology_rows_load():
    from cac.coding.procedures.radiology import tables

    assert len(pcs_families()) > 70
    assert len(tables().rows) > 150 and len(tables().named) > 20
