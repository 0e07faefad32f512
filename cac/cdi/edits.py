"""Pre-bill edits on a finalised code set; each family is a small function returning ``Edit`` items.

Families: ``excludes1`` (tabular Excludes1 pairs), ``age`` and ``sex`` (``resources/age_sex.tsv``),
``manifestation_first`` (a manifestation code listed first), ``code_first`` ("code first" order),
``unspecified`` (an unspecified code beside a specific code of its category), ``unlinked_procedure``
(a procedure with no linked diagnosis), ``duplicate``, and the NCCI ``ptp``/``mue`` edits (``cac.cdi.ncci``);
``cac.cdi.report`` adds ``unspecified_documented`` when the note is given.
Codes are assumed listed in claim order (first-listed/principal diagnosis first).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cac.cdi.claim import ClaimCode
from cac.cdi.common import ICD
from cac.cdi.resources import age_sex_rules
from cac.cdi.types import Edit
from cac.codesets import CodeSetStore
from cac.coding.guidelines.coderefs import parse_refs
from cac.coding.guidelines.common import bare, covers_any
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.excludes1 import excludes1_specs
from cac.coding.guidelines.pairs import is_manifestation, note_texts

if TYPE_CHECKING:
    from cac.cdi.ncci import NcciTables

_UNSPECIFIED = re.compile(r"\bunspecified\b|\bNOS\b", re.IGNORECASE)
_WITHOUT_COMPLICATIONS = re.compile(r"\bwithout complications?\b", re.IGNORECASE)


@dataclass
class Patient:
    """What the age and sex edits need; either may be unknown."""

    age: int | None = None
    sex: str | None = None  # F or M


def _dx(items: list[ClaimCode]) -> list[ClaimCode]:
    return [i for i in items if i.system == ICD]


def duplicates(items: list[ClaimCode], ctx: GuidelineContext, patient: Patient) -> list[Edit]:
    seen: dict[tuple[str, str], int] = {}
    for i in items:
        seen[(i.system, i.code)] = seen.get((i.system, i.code), 0) + 1
    return [
        Edit("duplicate", (code,), f"{system} {code} is listed {n} times; list it once", "error")
        for (system, code), n in seen.items()
        if n > 1
    ]


def excludes1(items: list[ClaimCode], ctx: GuidelineContext, patient: Patient) -> list[Edit]:
    dx = list(dict.fromkeys(i.code for i in _dx(items)))
    out = []
    for n, a in enumerate(dx):
        for b in dx[n + 1 :]:
            if any(s.covers(b) for s in excludes1_specs(a, ctx)) or any(s.covers(a) for s in excludes1_specs(b, ctx)):
                out.append(Edit("excludes1", (a, b), f"{a} and {b} are an Excludes1 pair: never coded together"))
    return out


def age_sex(items: list[ClaimCode], ctx: GuidelineContext, patient: Patient) -> list[Edit]:
    out = []
    for code in dict.fromkeys(i.code for i in _dx(items)):
        for rule in age_sex_rules():
            if not rule.spec.covers(code):
                continue
            if patient.sex and rule.sex and patient.sex != rule.sex:
                sex_word = "female" if rule.sex == "F" else "male"
                out.append(
                    Edit(
                        "sex", (code,), f"{code} ({rule.label}) is a {sex_word}-only code; patient sex is {patient.sex}"
                    )
                )
            if patient.age is not None:
                low = rule.min_age is not None and patient.age < rule.min_age
                high = rule.max_age is not None and patient.age > rule.max_age
                if low or high:
                    lo = rule.min_age if rule.min_age is not None else 0
                    limits = f"{lo}-{rule.max_age if rule.max_age is not None else ''}"
                    out.append(
                        Edit("age", (code,), f"{code} ({rule.label}, ages {limits}) conflicts with age {patient.age}")
                    )
    return out


def manifestation_first(items: list[ClaimCode], ctx: GuidelineContext, patient: Patient) -> list[Edit]:
    dx = _dx(items)
    if dx and is_manifestation(dx[0].code, ctx):
        return [
            Edit(
                "manifestation_first",
                (dx[0].code,),
                f"{dx[0].code} is a manifestation code and may not be listed first; "
                "list the underlying condition first",
            )
        ]
    return []


def code_first(items: list[ClaimCode], ctx: GuidelineContext, patient: Patient) -> list[Edit]:
    dx = [i.code for i in _dx(items)]
    out = []
    for pos, code in enumerate(dx):
        refs = [r for t in note_texts(code, "code_first", ctx) for r in parse_refs(t)]
        if not refs:
            continue
        for later in dx[pos + 1 :]:
            if later != code and covers_any(refs, later):
                out.append(
                    Edit(
                        "code_first",
                        (later, code),
                        f"{later} should be sequenced before {code} (code first note)",
                        "warning",
                    )
                )
    return out


def unspecified(items: list[ClaimCode], ctx: GuidelineContext, patient: Patient) -> list[Edit]:
    dx = list(dict.fromkeys(i.code for i in _dx(items)))
    out = []
    for code in dx:
        entry = ctx.entry(code)
        if entry is None:
            continue
        vague = _UNSPECIFIED.search(entry.title)
        without = _WITHOUT_COMPLICATIONS.search(entry.title)
        if not (vague or without):
            continue
        for other in dx:
            if other == code or bare(other)[:3] != bare(code)[:3]:
                continue
            other_entry = ctx.entry(other)
            if other_entry is None or _UNSPECIFIED.search(other_entry.title):
                continue
            if without:
                message = f"{code} ({entry.title}) contradicts {other} ({other_entry.title}); report {other} only"
                out.append(Edit("unspecified", (code, other), message, "error"))
            else:
                message = f"{code} is unspecified while the more specific {other} of the same category is listed"
                out.append(Edit("unspecified", (code, other), message, "warning"))
            break
    return out


def unlinked_procedure(items: list[ClaimCode], ctx: GuidelineContext, patient: Patient) -> list[Edit]:
    """A procedure needs a linked diagnosis of the set; without any link information, any diagnosis at all."""
    dx = {i.code for i in _dx(items)}
    procedures = [i for i in items if i.is_procedure]
    out = []
    any_links = any(i.links is not None for i in procedures)
    for proc in procedures:
        if any_links:
            linked = [c for c in (proc.links or []) if c in dx]
            if not linked:
                out.append(
                    Edit(
                        "unlinked_procedure",
                        (proc.code,),
                        f"{proc.system} {proc.code} has no linked diagnosis of the claim",
                    )
                )
        elif not dx:
            out.append(
                Edit(
                    "unlinked_procedure", (proc.code,), f"{proc.system} {proc.code}: the claim has no diagnosis to link"
                )
            )
    return out


Family = Callable[[list[ClaimCode], GuidelineContext, Patient], list[Edit]]
FAMILIES: tuple[tuple[str, Family], ...] = (
    ("duplicate", duplicates),
    ("excludes1", excludes1),
    ("age_sex", age_sex),
    ("manifestation_first", manifestation_first),
    ("code_first", code_first),
    ("unspecified", unspecified),
    ("unlinked_procedure", unlinked_procedure),
)


def run_edits(
    items: list[ClaimCode],
    store: CodeSetStore,
    age: int | None = None,
    sex: str | None = None,
    ncci: NcciTables | None = None,
) -> list[Edit]:
    """Every edit of every family on the code set, errors first."""
    ctx = GuidelineContext(store=store)
    patient = Patient(age, sex.upper()[:1] if sex else None)
    out: list[Edit] = []
    for _name, family in FAMILIES:
        out.extend(family(items, ctx, patient))
    if ncci is not None:
        out.extend(ncci.edits(items))
    return sorted(out, key=lambda e: e.severity != "error")
