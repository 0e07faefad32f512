"""Small helpers shared by the procedure tests."""

from __future__ import annotations

import re

from cac.coding.types import Candidate


def billed_units(cand: Candidate) -> int:
    """The billing units a drug or administration suggestion states in its rationale ("units: 2")."""
    m = re.search(r"units: (\d+)", cand.rationale)
    assert m, cand.rationale
    return int(m.group(1))
