"""The Spark path in local mode (``local[2]``): its suggestion rows equal the local batch's suggestions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.batch.conftest import read_output, write_jsonl

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

pytest.importorskip("pyspark", reason="the spark extra (pyspark) is not installed", exc_type=ImportError)
pytest.importorskip("pyarrow", reason="mapInPandas needs pyarrow", exc_type=ImportError)
if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17", allow_module_level=True)

COLUMNS = ("id", "rank", "system", "code", "score", "accepted", "evidence_start", "evidence_end", "assertion")


@pytest.fixture(scope="module")
def spark():
    from cac.spark import session

    s = session("local[2]", app_name="cac-tests", conf={"spark.sql.shuffle.partitions": "4"})
    yield s
    s.stop()


def test_spark_rows_equal_local_batch_suggestions(spark, local_batch_50, mts_notes) -> None:
    from cac.spark import code_notes
    from cac.spark.jobs import suggestion_rows

    df = spark.createDataFrame([(n["id"], n["text"]) for n in mts_notes[:50]], "id string, text string")
    rows = code_notes(df.repartition(4), setting="outpatient").collect()
    assert all(r["error"] is None for r in rows)
    got = sorted(tuple(r[c] for c in COLUMNS) for r in rows)
    expected = sorted(
        tuple(row[c] for c in COLUMNS) for rec in local_batch_50 for row in suggestion_rows(rec["id"], rec["result"])
    )
    assert len(got) == len(expected) > 50
    assert got == expected
    accepted = [r for r in rows if r["accepted"]]
    assert accepted and all(r["evidence_end"] > r["evidence_start"] for r in accepted)


def test_spark_reports_a_failing_note_as_an_error_row(spark) -> None:
    from cac.spark import code_notes

    df = spark.createDataFrame([("blank", "  ")], "id string, text string")
    rows = code_notes(df).collect()
    assert [(r["id"], r["code"]) for r in rows] == [("blank", None)] and "empty" in rows[0]["error"]


def test_cli_spark_engine_writes_the_same_records(spark, tmp_path: Path, local_batch_50, mts_notes) -> None:
    from cac.batch import BatchOptions, run_batch

    src = write_jsonl(tmp_path / "in.jsonl", mts_notes[:8])
    out = tmp_path / "out.jsonl"
    summary = run_batch(src, out, BatchOptions(engine="spark", workers=2, limit=6))
    assert (summary.coded, summary.failed) == (6, 0)
    assert run_batch(src, out, BatchOptions(engine="spark", workers=2)).coded == 2  # resumes like the local path
    by_id = {r["id"]: r for r in local_batch_50}
    records = read_output(out)
    assert sorted(r["id"] for r in records) == sorted(n["id"] for n in mts_notes[:8])
    for rec in records:
        assert rec == by_id[rec["id"]]


def test_schema_is_flat_and_table_ready() -> None:
    from cac.spark import SUGGESTION_SCHEMA

    names = [c.split(" ")[0] for c in SUGGESTION_SCHEMA.split(", ")]
    assert {"id", "system", "code", "score", "evidence_start", "evidence_end", "assertion"} <= set(names)
