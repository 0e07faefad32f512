"""Shared fixtures for the batch tests: MTSamples notes (from ../shared/data) and their single-process results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path

N_NOTES = 200


def mtsamples(n: int) -> list[dict[str, str]]:
    """The first ``n`` MTSamples notes with text, as batch input records (skips when the data is absent)."""
    from evaluation.batch_bench import read_notes

    return read_notes(shared_path("mtsamples", "mtsamples.csv.gz"), n)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec) + "\n")
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="session")
def mts_notes() -> list[dict[str, str]]:
    return mtsamples(N_NOTES)


@pytest.fixture(scope="session")
def reference(store, mts_notes) -> dict[str, dict[str, Any]]:
    """Single-process results, in this process, per id: what every batch run must reproduce."""
    import cac

    engine = cac.load()
    return {n["id"]: engine.suggest(n["text"], setting="outpatient") for n in mts_notes}


@pytest.fixture(scope="session")
def local_batch_50(tmp_path_factory, reference, mts_notes) -> list[dict[str, Any]]:
    """A local (in-process) batch over the first 50 notes: its output records, in output order."""
    from cac.batch import BatchOptions, run_batch

    folder = tmp_path_factory.mktemp("batch50")
    src = write_jsonl(folder / "in.jsonl", mts_notes[:50])
    summary = run_batch(src, folder / "out.jsonl", BatchOptions(workers=1))
    assert (summary.coded, summary.failed) == (50, 0)
    return read_output(folder / "out.jsonl")
