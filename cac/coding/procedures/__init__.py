"""Procedure, service and supply coding: ICD-10-PCS (inpatient), CPT and HCPCS Level II (outpatient / ED).

``propose_procedures(text, doc, setting, note_type, store)`` returns rule-built candidates with evidence spans,
the extracted attributes (approach, device, laterality, size, dose, route, units) in the rationale, and scores in
[0, 1]. Only procedures documented as done in this encounter are coded: negated, planned, considered and past
history statements are skipped (``context.NoteContext``). Every code is validated against the active release.

Rule families, each driven by a data file of ``resources/``:

- ``cpt_rules``   CPT by procedure family (endoscopy, cholecystectomy, appendectomy, ECG, splints, joint
                  injections, imaging with/without contrast and by number of views, ...): ``cpt_rules.yaml``.
- ``radiology``   diagnostic radiology CPT from radiology reports: modality x body region x contrast / views / extent /
                  side, and named studies (nuclear medicine, fluoroscopy): ``radiology.yaml``.
- ``excision``    skin lesion excision (benign / malignant) and shave removal by site group and excised diameter,
                  subcutaneous soft-tissue tumours by site and size: ``excision.yaml``.
- ``repair``      wound repair lengths summed per complexity class and anatomic group: ``repair.yaml``.
- ``drugs``       HCPCS drug codes with dose -> billing units from the HCPCS descriptions: ``drugs.tsv``.
- ``administration``  injection / IV push administration and vaccines with their administration: ``vaccines.yaml``.
- ``pcs_rules``   ICD-10-PCS built axis by axis from templates and axis tables: ``pcs_rules.yaml``, ``pcs_axes.yaml``.
- ``pcs_imaging`` ICD-10-PCS section B through the PCS titles: ``pcs_imaging.yaml``.
"""

from __future__ import annotations

from typing import Any

from cac.coding.procedures.administration import propose_injections, propose_vaccines
from cac.coding.procedures.common import merge
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.cpt_rules import propose_cpt
from cac.coding.procedures.drugs import find_doses, propose_drugs
from cac.coding.procedures.excision import propose_excisions
from cac.coding.procedures.pcs_imaging import propose_pcs_imaging
from cac.coding.procedures.pcs_rules import propose_pcs
from cac.coding.procedures.radiology import propose_radiology
from cac.coding.procedures.repair import propose_repairs
from cac.coding.types import Candidate

__all__ = ["propose_procedures"]

# Imaging in PCS is coded from inpatient radiology reports; a note of unknown type (a case summary) may describe
# imaging done during the stay, so it is proposed there too, with less confidence.
# A rule family whose evidence starts this early in a radiology report has coded the exam the report is titled with.
_TITLE_CHARS = 200
_IMAGING_SCORE = {"radiology_report": 0.82, None: 0.72}


def propose_procedures(text: str, doc: Any, setting: str, note_type: str | None, store: Any) -> list[Candidate]:
    """Procedure / service / supply candidates for one note (see the module docstring)."""
    ctx = NoteContext(text, doc, note_type)
    out: list[Candidate] = []
    if setting == "inpatient":
        out.extend(propose_pcs(ctx, store, note_type))
        if note_type in _IMAGING_SCORE:
            out.extend(propose_pcs_imaging(ctx, store, _IMAGING_SCORE[note_type]))
    else:
        cpt = propose_cpt(ctx, setting, note_type, store)
        out.extend(cpt)
        if note_type == "radiology_report":
            titled = any(c.evidence and c.evidence[0].start < _TITLE_CHARS for c in cpt)
            out.extend(propose_radiology(ctx, store, titled))
        out.extend(propose_repairs(ctx, store))
        out.extend(propose_excisions(ctx, store))
        doses = find_doses(ctx, store, setting)
        out.extend(propose_drugs(ctx, doses, store))
        out.extend(propose_injections(ctx, doses, setting, store))
        out.extend(propose_vaccines(ctx, setting, store))
    out = merge(out)
    out.sort(key=lambda c: (-c.score, c.system, c.code))
    return out
