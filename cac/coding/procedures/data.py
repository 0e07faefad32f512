"""Loading the domain data files of ``resources/`` (once per process)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load_yaml(name: str) -> Any:
    """A YAML file of ``cac/coding/procedures/resources``."""
    text = resources.files("cac.coding.procedures.resources").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    """The rows of a TSV file of ``resources`` (header line first, ``#`` lines are comments)."""
    text = resources.files("cac.coding.procedures.resources").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    return tuple({k: (v or "").strip() for k, v in row.items()} for row in reader)
