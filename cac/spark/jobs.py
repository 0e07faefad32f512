"""Spark jobs over the engine: ``mapInPandas`` with the engine loaded once per Python worker.

pyspark is imported only inside functions, so this module imports (and its helpers run) without Spark.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cac.batch.readers import Document
from cac.batch.worker import Outcome, code_document, init_worker

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

    from cac.batch.runner import BatchOptions

SPARK_EXTRA = "the Spark engine needs pyspark 4 and Java 17: pip install 'cac[spark]'"

SUGGESTION_SCHEMA = (
    "id string, rank int, system string, code string, title string, score double, accepted boolean, "
    "evidence_start int, evidence_end int, evidence_text string, evidence_count int, assertion string, "
    "flags array<string>, error string"
)
SUGGESTION_COLUMNS = [c.strip().split(" ")[0] for c in SUGGESTION_SCHEMA.split(", ")]
DOCUMENT_SCHEMA = (
    "id string, setting string, note_type string, result string, error string, "
    "worker_pid long, worker_peak_rss_mb double"
)
# ``cac batch --engine spark`` runs one job per chunk of documents so that results reach OUTPUT as it goes.
TASKS_PER_CORE = 2
DOCS_PER_TASK = 64
DOCUMENT_COLUMNS = [c.strip().split(" ")[0] for c in DOCUMENT_SCHEMA.split(", ")]


@dataclass(frozen=True)
class JobParams:
    """What every Python worker needs to code: shipped to the executors inside the mapInPandas closure."""

    text_col: str
    id_col: str
    setting: str
    note_type: str | None
    setting_col: str | None
    note_type_col: str | None
    threshold: float | None
    dense: bool | None
    cac_home: str | None


def _pyspark() -> Any:
    try:
        import pyspark
    except ImportError as exc:
        raise RuntimeError(SPARK_EXTRA) from exc
    return pyspark


def session(master: str | None = None, app_name: str = "cac", conf: dict[str, str] | None = None) -> SparkSession:
    """A Spark session (``master`` e.g. ``local[2]``; None keeps what spark-submit or the platform set)."""
    _pyspark()
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    builder = builder.config("spark.python.worker.reuse", "true")
    builder = builder.config("spark.ui.showConsoleProgress", "false")  # the engine then loads once per worker
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


@contextmanager
def _node_lock(home: Path) -> Iterator[None]:
    """Serialise engine loading among the Python workers of one machine (first use builds the store and caches)."""
    home.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with (home / ".engine-load.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


_LOADED: set[tuple[Any, ...]] = set()


def _ensure_engine(params: JobParams) -> None:
    """Load this Python worker's engine once (kept in a module global across tasks while the worker is reused)."""
    key = (params.threshold, params.dense, params.cac_home)
    if key in _LOADED:
        return
    if params.cac_home:
        os.environ["CAC_HOME"] = params.cac_home
    from cac import config

    home = config.cac_home()
    ready = home / ".engine-loaded"
    if ready.exists():  # the store and caches exist: workers load side by side
        init_worker(params.threshold, params.dense)
    else:
        with _node_lock(home):  # the first load on this machine builds them, once
            init_worker(params.threshold, params.dense)
            ready.touch()
    _LOADED.add(key)


def _documents(pdf: pd.DataFrame, params: JobParams) -> Iterator[Document]:
    settings = pdf[params.setting_col] if params.setting_col else None
    note_types = pdf[params.note_type_col] if params.note_type_col else None
    for i, (doc_id, text) in enumerate(zip(pdf[params.id_col], pdf[params.text_col], strict=True)):
        setting = settings.iloc[i] if settings is not None else None
        note_type = note_types.iloc[i] if note_types is not None else None
        yield Document(
            str(doc_id),
            text if isinstance(text, str) else "",
            setting if isinstance(setting, str) and setting else None,
            note_type if isinstance(note_type, str) and note_type else None,
        )


def _code_batches(
    batches: Iterable[pd.DataFrame],
    params: JobParams,
    rows_of: Callable[[Outcome], list[dict[str, Any]]],
    columns: list[str],
) -> Iterator[pd.DataFrame]:
    """The mapInPandas body, run in a Python worker: code each note of each Arrow batch."""
    import pandas as pd

    _ensure_engine(params)
    for pdf in batches:
        rows: list[dict[str, Any]] = []
        for doc in _documents(pdf, params):
            rows.extend(rows_of(code_document(doc, params.setting, params.note_type)))
        yield pd.DataFrame(rows, columns=columns)


def suggestion_rows(doc_id: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per suggestion of a ``suggest`` result (evidence: the first span, and how many there are)."""
    rows = []
    for rank, s in enumerate(result["suggestions"], start=1):
        first = s["evidence"][0] if s["evidence"] else None
        rows.append(
            {
                "id": doc_id,
                "rank": rank,
                "system": s["system"],
                "code": s["code"],
                "title": s["title"],
                "score": float(s["score"]),
                "accepted": s["score"] >= result["threshold"],
                "evidence_start": first["start"] if first else None,
                "evidence_end": first["end"] if first else None,
                "evidence_text": first["text"] if first else None,
                "evidence_count": len(s["evidence"]),
                "assertion": s["assertion"],
                "flags": list(s.get("flags") or []),
                "error": None,
            }
        )
    return rows


def _suggestion_rows(outcome: Outcome) -> list[dict[str, Any]]:
    if outcome.record is None:
        return [{**dict.fromkeys(SUGGESTION_COLUMNS), "id": outcome.id, "error": outcome.reason}]
    return suggestion_rows(outcome.id, outcome.record["result"])


def _document_rows(outcome: Outcome) -> list[dict[str, Any]]:
    rec = outcome.record or {}
    return [
        {
            "id": outcome.id,
            "setting": rec.get("setting"),
            "note_type": rec.get("note_type"),
            "result": json.dumps(rec["result"], ensure_ascii=False) if outcome.record else None,
            "error": outcome.reason,
            "worker_pid": outcome.pid,
            "worker_peak_rss_mb": outcome.peak_rss_mb,
        }
    ]


def _params(
    df: DataFrame,
    text_col: str,
    id_col: str,
    setting: str,
    note_type: str | None,
    setting_col: str | None,
    note_type_col: str | None,
    threshold: float | None,
    dense: bool | None,
    cac_home: str | None,
) -> JobParams:
    from cac.coding.types import SETTINGS

    missing = [c for c in (text_col, id_col, setting_col, note_type_col) if c and c not in df.columns]
    if missing:
        raise ValueError(f"DataFrame has no column {missing[0]!r}; columns: {', '.join(df.columns)}")
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; expected one of: {', '.join(SETTINGS)}")
    return JobParams(text_col, id_col, setting, note_type, setting_col, note_type_col, threshold, dense, cac_home)


def code_notes(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    setting: str = "outpatient",
    note_type: str | None = None,
    setting_col: str | None = None,
    note_type_col: str | None = None,
    threshold: float | None = None,
    dense: bool | None = None,
    cac_home: str | None = None,
) -> DataFrame:
    """One row per suggestion (``SUGGESTION_SCHEMA``): id, rank, system, code, score, accepted, evidence, assertion.

    Every ranked candidate is a row; ``accepted`` marks those at or above the engine's threshold. A note that
    fails gives one row with only ``id`` and ``error``; a note with no suggestion gives no row. ``cac_home``
    points the executors at a code-set store (default: their own ``CAC_HOME``, built on first use).
    """
    params = _params(df, text_col, id_col, setting, note_type, setting_col, note_type_col, threshold, dense, cac_home)
    return df.mapInPandas(
        lambda batches: _code_batches(batches, params, _suggestion_rows, SUGGESTION_COLUMNS), SUGGESTION_SCHEMA
    )


def code_documents(
    df: DataFrame,
    text_col: str = "text",
    id_col: str = "id",
    setting: str = "outpatient",
    note_type: str | None = None,
    setting_col: str | None = None,
    note_type_col: str | None = None,
    threshold: float | None = None,
    dense: bool | None = None,
    cac_home: str | None = None,
) -> DataFrame:
    """One row per note (``DOCUMENT_SCHEMA``): the whole ``suggest`` result as JSON text, or the error."""
    params = _params(df, text_col, id_col, setting, note_type, setting_col, note_type_col, threshold, dense, cac_home)
    return df.mapInPandas(
        lambda batches: _code_batches(batches, params, _document_rows, DOCUMENT_COLUMNS), DOCUMENT_SCHEMA
    )


def run_spark(docs: Iterable[Document], options: BatchOptions, record: Callable[[Outcome], None]) -> None:
    """``cac batch --engine spark``: the documents to do, coded on Spark, recorded on the driver as they come back."""
    master = options.spark_master or f"local[{options.workers}]"
    spark = session(master, app_name="cac-batch")
    spark.sparkContext.setLogLevel("ERROR")
    parallelism = spark.sparkContext.defaultParallelism
    schema = "id string, text string, setting string, note_type string"
    local = master.startswith("local")
    chunk: list[tuple[str, str, str | None, str | None]] = []
    for doc in docs:
        chunk.append((doc.id, doc.text, doc.setting, doc.note_type))
        if len(chunk) >= parallelism * DOCS_PER_TASK * TASKS_PER_CORE:
            _run_chunk(spark, chunk, schema, parallelism, options, local, record)
            chunk = []
    if chunk:
        _run_chunk(spark, chunk, schema, parallelism, options, local, record)


def _run_chunk(
    spark: SparkSession,
    rows: list[tuple[str, str, str | None, str | None]],
    schema: str,
    parallelism: int,
    options: BatchOptions,
    local: bool,
    record: Callable[[Outcome], None],
) -> None:
    """One Spark job over a chunk of documents, all cores busy; its results are written before the next chunk."""
    from cac import config

    partitions = max(1, min(len(rows), parallelism * TASKS_PER_CORE))
    df = spark.createDataFrame(rows, schema).repartition(partitions)
    coded = code_documents(
        df,
        setting=options.setting,
        note_type=options.note_type,
        setting_col="setting",
        note_type_col="note_type",
        threshold=options.threshold,
        dense=options.dense,
        cac_home=str(config.cac_home()) if local else None,
    )
    for row in coded.collect():
        rec = None
        if row["result"] is not None:
            rec = {"id": row["id"], "setting": row["setting"], "note_type": row["note_type"]}
            rec["result"] = json.loads(row["result"])
        record(Outcome(row["id"], rec, row["error"], int(row["worker_pid"]), float(row["worker_peak_rss_mb"])))
