"""Building the store from the sources that ship with the installed packages (no files needed)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cac import config
from cac.codesets import cpt, hcc, icd10cm, icd10pcs
from cac.codesets.store import SCHEMA_VERSION, CodeSetStore, remove_quietly
from cac.codesets.systems import CPT, ICD10CM, ICD10PCS


def build(path: Path, payment_year: int | None = None) -> None:
    """Write a complete store of the built-in sources to ``path`` atomically (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.building-{os.getpid()}")
    remove_quietly(tmp)
    try:
        store = CodeSetStore.create(tmp)
        year = payment_year or config.hcc_payment_year()
        store.write_release(
            ICD10CM,
            icd10cm.RELEASE,
            icd10cm.records(),
            icd10cm.source_name(),
            hcc_rows=hcc.rows(year),
            refresh_terms=False,
        )
        pcs_records, pcs_release, pcs_source = icd10pcs.builtin()
        store.write_release(ICD10PCS, pcs_release, pcs_records, pcs_source, refresh_terms=False)
        store.write_release(
            CPT,
            cpt.BUILTIN_RELEASE,
            cpt.builtin(),
            "cac built-in list (code numbers with cac's own labels)",
            refresh_terms=False,
        )
        store.set_meta("hcc_payment_year", str(year))
        store.set_meta("builtin_cpt_hash", cpt.builtin_hash())
        store.refresh_terms()
        store.close()
        os.replace(tmp, path)
    finally:
        remove_quietly(tmp)


def open_store(path: Path | None = None, quiet: bool = False) -> CodeSetStore:
    """The store at ``path`` (default ``$CAC_HOME/codesets.sqlite``), built from the packages on first use."""
    path = Path(path) if path else config.codeset_store_path()
    if path.exists():
        store = CodeSetStore(path)
        if store.schema_version() == SCHEMA_VERSION and store.active_release(ICD10CM):
            _refresh_builtin_cpt(store)
            return store
        store.close()
        remove_quietly(path)
    if not quiet:
        print(f"cac: building the code-set store at {path} (first run, about a minute)...", file=sys.stderr)
    build(path)
    return CodeSetStore(path)


def _refresh_builtin_cpt(store: CodeSetStore) -> None:
    """Rewrite the built-in CPT list when the installed package ships a different one (imports are kept)."""
    current = cpt.builtin_hash()
    if store.meta("builtin_cpt_hash") == current:
        return
    active = store.active_release(CPT)
    store.write_release(
        CPT,
        cpt.BUILTIN_RELEASE,
        cpt.builtin(),
        "cac built-in list (code numbers with cac's own labels)",
        activate=active in (None, cpt.BUILTIN_RELEASE),
    )
    store.set_meta("builtin_cpt_hash", current)
