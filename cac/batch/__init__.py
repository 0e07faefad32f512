"""Batch coding: many notes from JSONL, CSV, a folder of .txt files or FHIR NDJSON, coded by worker processes.

from cac.batch import BatchOptions, run_batch
summary = run_batch("notes.jsonl", "coded.jsonl", BatchOptions(workers=2))
"""

from __future__ import annotations

from cac.batch.readers import Document, ReadError, read_documents
from cac.batch.runner import BatchOptions, BatchSummary, run_batch

__all__ = ["BatchOptions", "BatchSummary", "Document", "ReadError", "read_documents", "run_batch"]
