"""Result types of the CDI and pre-bill stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cac.coding.types import Span


@dataclass(frozen=True)
class Indicator:
    """A clinical indicator found in the note (a lab, vital, medication or finding), with its span."""

    axis: str
    name: str
    kind: str
    span: Span
    value: str | None = None
    interpretation: str | None = None
    suggests: str | None = None  # the axis value whose options the indicator bears on (ordering only)

    @property
    def supports_query(self) -> bool:
        """False for a value within its normal or target band (A1c 6.1, glucose 142)."""
        return not (self.interpretation or "").startswith("within")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["span"] = self.span.to_dict()
        return out


@dataclass
class Gap:
    """A suggested code that is less specific than the tabular allows, and the detail it lacks.

    ``missing`` names the axes (``hf_type``, ``ckd_stage`` ...), ``labels`` says them in words; ``documented``
    holds spans elsewhere in the note that already state a value of a missing axis; ``options`` are the
    billable codes the detail would select (code, title).
    """

    code: str
    title: str
    reason: str  # unspecified | not_billable | indicators
    missing: list[str]
    labels: list[str]
    evidence: list[Span]
    indicators: list[Indicator] = field(default_factory=list)
    documented: list[tuple[str, str, Span]] = field(default_factory=list)  # (axis, value, span)
    options: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "reason": self.reason,
            "missing": list(self.missing),
            "labels": list(self.labels),
            "evidence": [e.to_dict() for e in self.evidence],
            "indicators": [i.to_dict() for i in self.indicators],
            "documented": [{"axis": a, "value": v, "span": s.to_dict()} for a, v, s in self.documented],
            "options": [{"code": c, "title": t} for c, t in self.options],
        }


@dataclass
class Query:
    """A compliant, non-leading multiple-choice physician query."""

    code: str
    axes: list[str]
    question: str
    options: list[str]
    option_codes: list[str | None]
    indicators: list[Indicator]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "axes": list(self.axes),
            "question": self.question,
            "options": list(self.options),
            "option_codes": list(self.option_codes),
            "indicators": [i.to_dict() for i in self.indicators],
        }


@dataclass(frozen=True)
class Edit:
    """One pre-bill edit: its family, the codes involved, a message and ``error`` or ``warning``."""

    kind: str
    codes: tuple[str, ...]
    message: str
    severity: str = "error"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "codes": list(self.codes), "message": self.message, "severity": self.severity}
