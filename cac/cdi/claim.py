"""The finalised code set a pre-bill check reads: codes with their system, linked diagnoses and units."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cac.cdi.common import ICD, PROCEDURE_SYSTEMS, proposed
from cac.codesets import CodeSetStore, InvalidCodeError, canonical_system, normalise_code

_CPT = re.compile(r"^\d{4}[0-9FTU]$")
_HCPCS = re.compile(r"^[A-V]\d{4}$")
_PCS = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")


@dataclass
class ClaimCode:
    """One line of the code set. ``links`` are the diagnosis codes a procedure is billed for (None: not said)."""

    system: str
    code: str
    links: list[str] | None = None
    units: int = 1
    modifiers: list[str] = field(default_factory=list)

    @property
    def is_procedure(self) -> bool:
        return self.system in PROCEDURE_SYSTEMS

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system, "code": self.code, "links": self.links, "units": self.units}


def detect_system(code: str, store: CodeSetStore | None = None) -> str:
    """The system a bare code belongs to: a dot means ICD-10-CM, 5 digits CPT, 7 characters ICD-10-PCS, a letter
    and 4 digits HCPCS unless only ICD-10-CM knows it ("E1122"). ``SYSTEM:CODE`` names it explicitly."""
    if ":" in code:
        system, _, bare_code = code.partition(":")
        return canonical_system(system)
    raw = code.strip().upper()
    if "." in raw:
        return ICD
    if _CPT.match(raw):
        return "CPT"
    if _HCPCS.match(raw):
        if store is not None and not store.is_valid("HCPCS", raw) and store.is_valid(ICD, raw):
            return ICD
        return "HCPCS"
    if _PCS.match(raw) and not raw[0].isalpha():
        return "ICD-10-PCS"
    return ICD


def parse_item(item: str | dict[str, Any], store: CodeSetStore | None = None) -> ClaimCode:
    """A ClaimCode from ``"E11.22"``, ``"CPT:45380"``, ``"45380=K63.5,Z12.11"`` (links after '='), ``"J1100*3"``
    (units after '*'), or a dict with system, code and optional links/units."""
    if isinstance(item, dict):
        system = canonical_system(item["system"]) if item.get("system") else detect_system(item["code"], store)
        links = item.get("links")
        return ClaimCode(
            system,
            normalise_code(system, item["code"]),
            [normalise_code(ICD, x) for x in links] if links is not None else None,
            int(item.get("units", 1)),
            list(item.get("modifiers", [])),
        )
    text, _, link_text = item.partition("=")
    text, _, units = text.partition("*")
    system = detect_system(text, store)
    code = text.partition(":")[2] if ":" in text else text
    links = [normalise_code(ICD, x) for x in link_text.split(",") if x.strip()] if link_text else None
    return ClaimCode(system, normalise_code(system, code), links, int(units) if units else 1)


def parse_items(items: list[str] | list[dict[str, Any]], store: CodeSetStore | None = None) -> list[ClaimCode]:
    """ClaimCodes from strings or dicts; raises ValueError naming a malformed item."""
    out = []
    for item in items:
        try:
            out.append(parse_item(item, store))
        except (InvalidCodeError, KeyError, ValueError) as exc:
            raise ValueError(f"bad code set item {item!r}: {exc}") from exc
    return out


def from_result(data: dict[str, Any] | list[Any], store: CodeSetStore | None = None) -> list[ClaimCode]:
    """The code set of a ``cac suggest --json`` result (its proposed codes), or of ``{"codes": [...]}``, or a list."""
    if isinstance(data, list):
        return parse_items(data, store)
    if "suggestions" in data:
        return parse_items([{"system": s["system"], "code": s["code"]} for s in proposed(data)], store)
    return parse_items(data.get("codes", []), store)
