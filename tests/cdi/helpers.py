"""Engine-shaped results (interfaces.md section 2) with spans found in an invented note."""

from __future__ import annotations

from typing import Any


def result_for(note: str, *codes: tuple[str, str], system: str = "ICD-10-CM") -> dict[str, Any]:
    """A suggest result proposing each (code, evidence text) with the evidence's span in ``note``."""
    suggestions = []
    for code, evidence in codes:
        start = note.index(evidence)
        suggestions.append(
            {
                "system": system,
                "code": code,
                "title": "",
                "score": 0.9,
                "evidence": [{"start": start, "end": start + len(evidence), "text": evidence}],
                "assertion": "present",
                "flags": [],
            }
        )
    return {"threshold": 0.5, "suggestions": suggestions}
