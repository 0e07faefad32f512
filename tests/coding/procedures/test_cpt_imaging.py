"""CPT radiology rules: with / without contrast and number of views, from radiology reports only."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("CT HEAD WITHOUT CONTRAST", "70450"),
        ("CT HEAD WITH CONTRAST", "70460"),
        ("CT HEAD WITHOUT AND WITH CONTRAST", "70470"),
        ("CT ABDOMEN AND PELVIS WITH IV CONTRAST", "74177"),
        ("CT abdomen and pelvis without contrast", "74176"),
        ("CT ABDOMEN AND PELVIS WITHOUT AND WITH CONTRAST", "74178"),
    ],
)
def test_ct_contrast(propose, title, code):
    got = propose(f"EXAM: {title}\nFINDINGS: No acute abnormality.\n", note_type="radiology_report")
    assert code in got
    assert {"70450", "70460", "70470", "74176", "74177", "74178"} & set(got) == {code}


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("XR CHEST 1 VIEW (PORTABLE)", "71045"),
        ("XR CHEST PA AND LATERAL", "71046"),
        ("XR CHEST 2 VIEWS", "71046"),
        ("XR CHEST 4 VIEWS", "71048"),
        ("XR RIGHT KNEE 3 VIEWS", "73562"),
        ("XR LEFT ANKLE 2 VIEWS", "73600"),
        ("XR LEFT ANKLE 3 VIEWS", "73610"),
    ],
)
def test_radiograph_views(propose, title, code):
    got = propose(f"EXAM: {title}\nIMPRESSION: Normal.\n", note_type="radiology_report")
    assert code in got
    assert "views:" in got[code].rationale


def test_imaging_mentioned_in_clinical_note_is_not_coded(propose):
    got = propose("Imaging: R ankle XR 3 views (see radiology report): no fracture.", setting="emergency")
    assert not {"73600", "73610"} & set(got)
