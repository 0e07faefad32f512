"""The CDI data tables under ``resources/``, loaded once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cac.coding.guidelines.common import CodeSpec, specs
from cac.coding.guidelines.specificity import FACETS

RESOURCES = Path(__file__).resolve().parent / "resources"


def _yaml(name: str) -> Any:
    return yaml.safe_load((RESOURCES / name).read_text(encoding="utf-8"))


def tsv(name: str) -> list[list[str]]:
    """Rows of a tab-separated table, comments and blank lines left out (cells stripped, padded to 5)."""
    rows = []
    for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        rows.append(cells + [""] * (5 - len(cells)))
    return rows


Values = tuple[tuple[str, re.Pattern[str]], ...]


@cache
def axes() -> dict[str, tuple[str, Values]]:
    """axis -> (label, ((value, compiled pattern), ...)); the first axes reuse the specificity facets."""
    out = {}
    for name, spec in _yaml("axes.yaml").items():
        values = FACETS[spec["reuse"]] if "reuse" in spec else list(spec["values"].items())
        out[name] = (spec["label"], tuple((v, re.compile(p, re.IGNORECASE)) for v, p in values))
    return out


@cache
def axis_scopes() -> dict[str, tuple[CodeSpec, ...]]:
    """axis -> the code ranges it applies to (absent: every code)."""
    return {name: tuple(specs(spec["codes"])) for name, spec in _yaml("axes.yaml").items() if spec.get("codes")}


def axis_applies(axis: str, code: str) -> bool:
    scope = axis_scopes().get(axis)
    return scope is None or any(s.covers(code) for s in scope)


@dataclass(frozen=True)
class IndicatorRule:
    """One row of ``indicators.yaml``."""

    axis: str
    codes: tuple[CodeSpec, ...]  # empty: any code
    name: str
    kind: str
    pattern: re.Pattern[str]
    bands: tuple[tuple[float, float, str], ...]
    suggests: str | None = None

    def applies_to(self, code: str) -> bool:
        return not self.codes or any(s.covers(code) for s in self.codes)

    def interpret(self, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            return None
        return next((label for lo, hi, label in self.bands if lo <= number <= hi), None)


@cache
def indicator_rules() -> tuple[IndicatorRule, ...]:
    out = []
    for row in _yaml("indicators.yaml"):
        bands = []
        for rng, label in (row.get("interpret") or {}).items():
            lo, _, hi = str(rng).partition("-")
            bands.append((float(lo), float(hi), str(label)))
        out.append(
            IndicatorRule(
                axis=row["axis"],
                codes=tuple(specs(row.get("codes") or "")),
                name=row["name"],
                kind=row["kind"],
                pattern=re.compile(row["pattern"], re.IGNORECASE),
                bands=tuple(bands),
                suggests=row.get("suggests"),
            )
        )
    return tuple(out)


@cache
def meat_patterns() -> dict[str, tuple[re.Pattern[str], ...]]:
    return {k: tuple(re.compile(p, re.IGNORECASE) for p in v) for k, v in _yaml("meat.yaml").items()}


@cache
def chronic_specs() -> tuple[tuple[CodeSpec, str], ...]:
    return tuple((CodeSpec(r[0]), r[1]) for r in tsv("chronic.tsv"))


@dataclass(frozen=True)
class AgeSexRule:
    """One row of ``age_sex.tsv``."""

    spec: CodeSpec
    sex: str | None
    min_age: int | None
    max_age: int | None
    label: str


@cache
def age_sex_rules() -> tuple[AgeSexRule, ...]:
    out = []
    for spec, sex, lo, hi, label, *_ in tsv("age_sex.tsv"):
        out.append(
            AgeSexRule(
                CodeSpec(spec),
                sex if sex in ("F", "M") else None,
                int(lo) if lo else None,
                int(hi) if hi else None,
                label,
            )
        )
    return tuple(out)


@cache
def title_axes() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r[0], re.IGNORECASE), r[1]) for r in tsv("title_axes.tsv"))


@cache
def extra_options() -> tuple[tuple[CodeSpec, str, tuple[str, ...]], ...]:
    """(code spec, axis, option codes) from ``options.yaml``."""
    return tuple((CodeSpec(k), v["axis"], tuple(v["codes"])) for k, v in _yaml("options.yaml").items())


@cache
def not_queried() -> tuple[CodeSpec, ...]:
    """Codes no physician query is built for (signs and symptoms), from ``not_queried.tsv``."""
    return tuple(CodeSpec(r[0]) for r in tsv("not_queried.tsv"))
