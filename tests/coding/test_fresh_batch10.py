"""Fresh batch 10 misses, each on a made-up snippet: stroke sequelae across wrapped lines, abbreviation senses,
specialty wordings (eye, gyn, vascular, OB, psychiatry)."""

from __future__ import annotations

from typing import Any

from tests.coding.helpers import coded, spans


def test_a_stroke_dated_on_a_wrapped_line_keeps_its_residual_deficits(engine: Any) -> None:
    text = (
        "INDICATION: The patient is a 74-year-old woman who had a left middle cerebral artery infarction in\n"
        "March, with residual right hemiparesis and expressive aphasia, admitted for poor oral intake.\n"
        "IMPRESSION:\n"
        "1. Severe oropharyngeal dysphagia following left MCA stroke, with right hemiparesis and aphasia as residual "
        "deficits.\n"
    )
    codes = coded(engine, text, setting="inpatient")
    assert {"I69.351", "I69.320", "I69.391"} <= set(codes)
    assert not any(c.startswith(("I63", "G81", "R47")) for c in codes)
    assert "dysphagia" in " ".join(spans(text, codes["I69.391"]))
