"""Local batches in this process: results equal ``suggest``; failures are logged and the batch goes on; resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cac.batch import BatchOptions, run_batch
from cac.batch.output import errors_path
from tests.batch.conftest import read_output, write_jsonl

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


def _plain(obj: object) -> object:
    return json.loads(json.dumps(obj))


def test_local_batch_equals_single_process_suggest(local_batch_50, reference) -> None:
    assert len(local_batch_50) == 50
    for rec in local_batch_50:
        assert (rec["setting"], rec["note_type"]) == ("outpatient", None)
        assert rec["result"] == _plain(reference[rec["id"]])
    assert sum(len(r["result"]["suggestions"]) for r in local_batch_50) > 50  # real notes get real codes


def test_failures_go_to_errors_file_and_rerun_skips_done(tmp_path: Path, mts_notes, reference) -> None:
    good = mts_notes[:3]
    bad = [{"id": "moon", "text": "Cough.", "setting": "moon"}, {"id": "blank", "text": "   "}]
    src = write_jsonl(tmp_path / "in.jsonl", [good[0], bad[0], good[1], bad[1], good[2]])
    out = tmp_path / "out.jsonl"
    first = run_batch(src, out, BatchOptions(workers=1))
    assert (first.coded, first.failed, first.skipped) == (3, 2, 0)
    errors = {e["id"]: e["reason"] for e in read_output(errors_path(out))}
    assert set(errors) == {"moon", "blank"}
    assert "unknown setting 'moon'" in errors["moon"] and "empty" in errors["blank"]
    assert {r["id"]: r["result"] for r in read_output(out)} == {n["id"]: _plain(reference[n["id"]]) for n in good}

    before = out.read_bytes()
    again = run_batch(src, out, BatchOptions(workers=1))
    assert (again.coded, again.failed, again.skipped) == (0, 2, 3)  # failures are retried, done ids are not
    assert out.read_bytes() == before
    assert len(read_output(errors_path(out))) == 2  # the errors file reflects the latest run only


def test_note_type_and_setting_defaults_apply_per_document(tmp_path: Path, mts_notes) -> None:
    import cac

    notes = [{**mts_notes[0], "setting": "inpatient"}, mts_notes[1]]
    out = tmp_path / "out.jsonl"
    run_batch(write_jsonl(tmp_path / "in.jsonl", notes), out, BatchOptions(setting="emergency", note_type="ed_note"))
    recs = {r["id"]: r for r in read_output(out)}
    first, second = recs[notes[0]["id"]], recs[notes[1]["id"]]
    assert (first["setting"], second["setting"], second["note_type"]) == ("inpatient", "emergency", "ed_note")
    expected = cac.load().suggest(notes[0]["text"], setting="inpatient", note_type="ed_note")
    assert first["result"] == _plain(expected)


def test_parquet_output_round_trips_and_resumes(tmp_path: Path, mts_notes, reference) -> None:
    pq = pytest.importorskip("pyarrow.parquet", exc_type=ImportError)
    src = write_jsonl(tmp_path / "in.jsonl", mts_notes[:3])
    out = tmp_path / "out.parquet"
    assert run_batch(src, out, BatchOptions(limit=2)).coded == 2
    assert run_batch(src, out, BatchOptions()).coded == 1  # the finished Parquet's ids are skipped
    rows = pq.read_table(out).to_pylist()
    assert sorted(r["id"] for r in rows) == sorted(n["id"] for n in mts_notes[:3])
    for row in rows:
        assert json.loads(row["result"]) == _plain(reference[row["id"]])
    assert not (tmp_path / "out.parquet.partial.jsonl").exists()


def test_bad_options_are_refused(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Cough."}])
    for options, message in (
        (BatchOptions(setting="space"), "unknown setting"),
        (BatchOptions(workers=0), "at least 1"),
        (BatchOptions(engine="dask"), "unknown engine"),
    ):
        with pytest.raises(ValueError, match=message):
            run_batch(src, tmp_path / "out.jsonl", options)
