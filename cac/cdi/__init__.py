"""Clinical documentation improvement and pre-bill checks on the engine's output.

``cdi_report(text, setting, note_type)`` codes a note and returns its specificity gaps, physician queries, HCC
flags and MEAT support; ``cdi_from_result(text, result)`` does the same for an existing engine result;
``prebill_edits(codes, age=, sex=)`` runs the pre-bill edit families (and NCCI when imported).
"""

from cac.cdi.report import cdi_from_result, cdi_report, prebill_edits

__all__ = ["cdi_from_result", "cdi_report", "prebill_edits"]
