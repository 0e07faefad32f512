"""Compliant, non-leading multiple-choice physician queries built from specificity gaps.

Options are the billable codes' titles the missing detail would select (at most ``MAX_OPTIONS``), always
followed by "Other (please specify)" and "Clinically undetermined", in tabular order. The question names the documented
condition and the missing detail, cites the clinical indicators found in the note by their text and offsets,
and states no diagnosis, value interpretation or expected answer. A gap on a code that is not unspecified is
queried only with an indicator; an axis whose options are further diagnoses (organism, complications) is
queried only with an indicator for it. Signs and symptoms (``resources/not_queried.tsv``) are not queried.
"""

from __future__ import annotations

import re

from cac.cdi.resources import not_queried
from cac.cdi.types import Gap, Indicator, Query

MAX_OPTIONS = 9
OTHER = "Other (please specify)"
UNDETERMINED = "Clinically undetermined"
_NEEDS_INDICATOR = frozenset({"organism", "complication"})


def _documented_as_indicators(gap: Gap) -> list[Indicator]:
    return [
        Indicator(axis=a, name="documentation", kind="documentation", span=s, value=v) for a, v, s in gap.documented
    ]


def query_for(gap: Gap) -> Query | None:
    """The query for one gap, or None when asking it would be leading (no indicator where one is needed)."""
    if any(spec.covers(gap.code) for spec in not_queried()):
        return None  # a sign or symptom: the query is about the diagnosis that explains it
    cited = sorted(gap.indicators + _documented_as_indicators(gap), key=lambda i: i.span.start)
    supported = {i.axis for i in cited if i.supports_query}
    axes = [a for a in gap.missing if a not in _NEEDS_INDICATOR or a in supported]
    if gap.reason == "indicators":
        axes = [a for a in axes if a in supported]
    if not axes or not gap.options:
        return None
    # the label without its examples: the options, not the question, list the possible values
    labels = [re.sub(r"\s*\(.*\)", "", lbl) for a, lbl in zip(gap.missing, gap.labels, strict=True) if a in axes]
    condition = gap.evidence[0].text if gap.evidence else gap.title
    lines = [f'The record documents "{condition}".']
    if cited:
        found = "; ".join(f'"{i.span.text}" (characters {i.span.start}-{i.span.end})' for i in cited[:8])
        lines.append(f"The record also contains: {found}.")
    lines.append(
        f"Based on your clinical judgment, can the {' and '.join(labels)} of this condition be further specified? "
        "Please document your response in the medical record."
    )
    # the gap ranks its options (documented values first) to choose which to keep; the query lists them in
    # tabular order so that no position suggests an answer
    chosen = sorted(gap.options[:MAX_OPTIONS])
    options = [title for _code, title in chosen] + [OTHER, UNDETERMINED]
    codes: list[str | None] = [code for code, _t in chosen] + [None, None]
    return Query(
        code=gap.code,
        axes=axes,
        question=" ".join(lines),
        options=options,
        option_codes=codes,
        indicators=[i for i in cited if i.axis in axes],
    )


def build_queries(gaps: list[Gap]) -> list[Query]:
    return [q for q in (query_for(g) for g in gaps) if q is not None]
