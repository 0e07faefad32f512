"""Code-system names and code normalisation."""

from __future__ import annotations

import re

from cac.codesets.errors import InvalidCodeError, UnknownSystemError

ICD10CM = "ICD-10-CM"
ICD10PCS = "ICD-10-PCS"
CPT = "CPT"
HCPCS = "HCPCS"
SYSTEMS: tuple[str, ...] = (ICD10CM, ICD10PCS, CPT, HCPCS)

_ALIASES = {
    "icd10cm": ICD10CM,
    "icd10": ICD10CM,
    "cm": ICD10CM,
    "icd10pcs": ICD10PCS,
    "pcs": ICD10PCS,
    "cpt": CPT,
    "cpt4": CPT,
    "hcpcs": HCPCS,
    "hcpcs2": HCPCS,
    "hcpcslevelii": HCPCS,
}

_ICD10CM_CODE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z]([0-9A-Z]{1,4})?$")
_ICD10CM_RANGE = re.compile(r"^[A-Z][0-9][0-9A-Z]-[A-Z][0-9][0-9A-Z]$")
_PCS_CODE = re.compile(r"^[0-9A-HJ-NP-Z]{1,7}$")
_CPT_CODE = re.compile(r"^[0-9]{4}[0-9FTU]$")
_HCPCS_CODE = re.compile(r"^[A-V][0-9]{4}$")
_HCPCS_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")


def canonical_system(name: str) -> str:
    """Map a system name or alias ("icd10cm", "ICD-10-CM", "pcs") to its canonical name."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    if key in _ALIASES:
        return _ALIASES[key]
    for system in SYSTEMS:
        if re.sub(r"[^a-z0-9]", "", system.lower()) == key:
            return system
    raise UnknownSystemError(f"unknown code system {name!r}; expected one of: {', '.join(SYSTEMS)}")


def normalise_code(system: str, code: str) -> str:
    """Canonical form of a code: upper case, no spaces, ICD-10-CM with its dot after 3 characters."""
    system = canonical_system(system)
    if not isinstance(code, str):
        raise InvalidCodeError(f"{system} code must be a string, got {type(code).__name__}")
    raw = re.sub(r"\s+", "", code).upper()
    if system == ICD10CM:
        if _ICD10CM_RANGE.match(raw):
            return raw
        compact = raw.replace(".", "").rstrip("-")
        if not _ICD10CM_CODE.match(compact):
            raise InvalidCodeError(f"malformed ICD-10-CM code {code!r}")
        return compact if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"
    if system == ICD10PCS:
        compact = raw.replace(".", "")
        if not _PCS_CODE.match(compact):
            raise InvalidCodeError(
                f"malformed ICD-10-PCS code {code!r} (1-7 characters, digits and letters but I and O)"
            )
        return compact
    if system == CPT:
        if not _CPT_CODE.match(raw):
            raise InvalidCodeError(f"malformed CPT code {code!r} (5 characters: 4 digits then a digit, F, T or U)")
        return raw
    if not (_HCPCS_CODE.match(raw) or _HCPCS_MODIFIER.match(raw)):
        raise InvalidCodeError(f"malformed HCPCS code {code!r} (a letter A-V and 4 digits, or a 2-character modifier)")
    return raw


def try_normalise(system: str, code: str) -> str | None:
    """Like ``normalise_code`` but returns None for a malformed code."""
    try:
        return normalise_code(system, code)
    except InvalidCodeError:
        return None
