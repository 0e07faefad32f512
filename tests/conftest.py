"""Test session set-up: a private CAC_HOME whose code-set store is built once per session.

When ``../shared/data`` is present, its code-set files are imported into that store, as a user would
with ``cac codesets import``; tests that need them skip cleanly otherwise.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()
CODESETS_DATA = SHARED_DATA / "codesets"

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="cac-test-home-"))
os.environ["CAC_HOME"] = str(_SESSION_HOME)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, or a clean skip when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture(scope="session")
def store():
    """The session store: built-in releases, plus the shared code-set files when present."""
    from cac.codesets import import_codeset, open_store

    st = open_store(quiet=True)
    if st.meta("test_imports") is None and CODESETS_DATA.exists():
        for kind, folder in (
            ("icd10cm-index", "icd10cm-index-2025"),
            ("icd10pcs", "icd10pcs-2026"),
            ("hcpcs", "hcpcs-2025-oct"),
        ):
            if (CODESETS_DATA / folder).exists():
                import_codeset(st, kind, CODESETS_DATA / folder)
        st.set_meta("test_imports", "done")
        # A pipeline an earlier test built holds a term index of the store before these imports (no Alphabetic
        # Index terms): the next one is built on the store as it is now, whatever order the tests run in.
        from cac.nlp import load_pipeline

        load_pipeline.cache_clear()
    return st


@pytest.fixture(scope="session")
def imported(store) -> bool:
    """True when the shared code-set files were imported into the session store."""
    return store.meta("test_imports") == "done"
