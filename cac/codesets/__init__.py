"""One interface over the code systems: ICD-10-CM (tabular and index), ICD-10-PCS, HCPCS, CPT, CMS-HCC.

store = open_store()
store.get("ICD-10-CM", "E11.22"); store.search("heart attack", system="ICD-10-CM")
"""

from cac.codesets.builtin import open_store
from cac.codesets.errors import CodeSetError, ImportFailedError, InvalidCodeError, UnknownSystemError
from cac.codesets.importers import KINDS as IMPORT_KINDS
from cac.codesets.importers import import_codeset
from cac.codesets.model import CodeEntry, ReleaseInfo, SearchHit
from cac.codesets.store import INDEX_SYSTEM, CodeSetStore
from cac.codesets.systems import CPT, HCPCS, ICD10CM, ICD10PCS, SYSTEMS, canonical_system, normalise_code

__all__ = [
    "CPT",
    "HCPCS",
    "ICD10CM",
    "ICD10PCS",
    "IMPORT_KINDS",
    "INDEX_SYSTEM",
    "SYSTEMS",
    "CodeEntry",
    "CodeSetError",
    "CodeSetStore",
    "ImportFailedError",
    "InvalidCodeError",
    "ReleaseInfo",
    "SearchHit",
    "UnknownSystemError",
    "canonical_system",
    "import_codeset",
    "normalise_code",
    "open_store",
]
