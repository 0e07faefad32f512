"""``cac codesets import KIND PATH``: one entry point over the file importers."""

from __future__ import annotations

from pathlib import Path

from cac.codesets import cpt, hcpcs, icd10pcs, index
from cac.codesets.errors import ImportFailedError
from cac.codesets.model import ReleaseInfo
from cac.codesets.store import CodeSetStore
from cac.codesets.systems import CPT, HCPCS, ICD10PCS

KINDS = ("icd10cm-index", "icd10pcs", "hcpcs", "cpt")


def import_codeset(
    store: CodeSetStore, kind: str, path: Path, release: str | None = None, encoding: str = "utf-8"
) -> ReleaseInfo:
    """Parse the release files fully, then write them in one transaction (all or nothing)."""
    path = Path(path)
    if kind == "icd10cm-index":
        rows, used = index.load_folder(path, encoding)
        rel = release or index.release_from_name(used) or "imported"
        return store.write_index(rel, rows, f"{path.name}: {', '.join(used)}")
    if kind == "icd10pcs":
        records, chosen = icd10pcs.load_file(path, encoding)
        rel = release or icd10pcs.release_from_name(chosen.name) or "imported"
        return store.write_release(ICD10PCS, rel, records, chosen.name)
    if kind == "hcpcs":
        records, chosen = hcpcs.load_file(path, encoding)
        rel = release or hcpcs.release_from_name(chosen.name) or "imported"
        return store.write_release(HCPCS, rel, records, chosen.name)
    if kind == "cpt":
        records, chosen = cpt.load_file(path, encoding)
        rel = release or "licensed"
        return store.write_release(CPT, rel, records, chosen.name)
    raise ImportFailedError(f"unknown import kind {kind!r}; expected one of: {', '.join(KINDS)}")
