"""Run a batch: read, skip what is already done, code in worker processes, write as documents finish."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from cac.batch.output import (
    LineWriter,
    done_ids,
    errors_path,
    finish_parquet,
    is_parquet,
    require_pyarrow,
    staging_path,
)
from cac.batch.progress import Reporter, Silent
from cac.batch.readers import Document, Item, ReadError, read_documents
from cac.batch.worker import Outcome, code_document, init_pool_worker, init_worker

IN_FLIGHT_PER_WORKER = 4
ENGINES = ("local", "spark")


@dataclass
class BatchSummary:
    """What a run did; ``worker_peak_rss_mb`` maps each coding process (pid) to its peak memory."""

    output: str
    errors: str
    engine: str
    workers: int
    seen: int = 0
    skipped: int = 0
    coded: int = 0
    failed: int = 0
    seconds: float = 0.0
    worker_peak_rss_mb: dict[int, float] = field(default_factory=dict)

    @property
    def notes_per_second(self) -> float:
        return self.coded / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "errors": self.errors,
            "engine": self.engine,
            "workers": self.workers,
            "documents_seen": self.seen,
            "skipped_already_done": self.skipped,
            "coded": self.coded,
            "failed": self.failed,
            "seconds": round(self.seconds, 2),
            "notes_per_second": round(self.notes_per_second, 2),
            "worker_peak_rss_mb": {str(k): round(v, 1) for k, v in self.worker_peak_rss_mb.items()},
        }


@dataclass(frozen=True)
class BatchOptions:
    """How to code: the default setting/note type for documents that carry none, and engine options."""

    setting: str = "outpatient"
    note_type: str | None = None
    workers: int = 1
    engine: str = "local"
    threshold: float | None = None
    dense: bool | None = None
    text_column: str | None = None
    id_column: str | None = None
    limit: int | None = None
    spark_master: str | None = None


def _items(source: str | Path, options: BatchOptions) -> Iterator[Item]:
    items = read_documents(source, options.text_column, options.id_column)
    return islice(items, options.limit) if options.limit is not None else items


def _validate(options: BatchOptions) -> None:
    from cac.coding.types import NOTE_TYPES, SETTINGS

    if options.setting not in SETTINGS:
        raise ValueError(f"unknown setting {options.setting!r}; expected one of: {', '.join(SETTINGS)}")
    if options.note_type is not None and options.note_type not in NOTE_TYPES:
        raise ValueError(f"unknown note type {options.note_type!r}; expected one of: {', '.join(NOTE_TYPES)}")
    if options.workers < 1:
        raise ValueError("--workers must be at least 1")
    if options.engine not in ENGINES:
        raise ValueError(f"unknown engine {options.engine!r}; expected one of: {', '.join(ENGINES)}")


def _resume_parquet(output: Path, staging: Path) -> None:
    """A finished Parquet output being re-run: stage its records again so that they are kept and skipped."""
    if staging.exists() or not output.exists():
        return
    import pyarrow.parquet as pq

    table = pq.read_table(output).to_pylist()
    with LineWriter(staging) as writer:
        for row in table:
            writer.write({**row, "result": json.loads(row["result"])})


def run_batch(
    source: str | Path, output: str | Path, options: BatchOptions | None = None, progress: Reporter | None = None
) -> BatchSummary:
    """Code every document of ``source`` not already in ``output``; failures go to ``OUTPUT.errors.jsonl``."""
    options = options or BatchOptions()
    _validate(options)
    out = Path(output)
    parquet = is_parquet(out)
    if parquet:
        require_pyarrow()
    lines_path = staging_path(out) if parquet else out
    if parquet:
        _resume_parquet(out, lines_path)
    done = done_ids(lines_path)
    summary = BatchSummary(str(out), str(errors_path(out)), options.engine, options.workers)
    progress = progress or Silent()
    if not isinstance(progress, Silent):  # a second, cheap pass over the input gives the bar its total
        progress.start(sum(1 for i in _items(source, options) if isinstance(i, ReadError) or i.id not in done))
    else:
        progress.start(None)

    from cac.codesets import open_store

    open_store(quiet=True).close()  # build the store once here, not racing in every worker
    t0 = time.perf_counter()
    with LineWriter(lines_path) as writer, LineWriter(errors_path(out), truncate=True) as errors:

        def todo() -> Iterator[Document]:
            for item in _items(source, options):
                summary.seen += 1
                if isinstance(item, ReadError):
                    errors.write({"id": item.id, "reason": item.reason})
                    summary.failed += 1
                    progress.advance()
                elif item.id in done:
                    summary.skipped += 1
                else:
                    done.add(item.id)
                    yield item

        def record(outcome: Outcome) -> None:
            if outcome.record is not None:
                writer.write(outcome.record)
                summary.coded += 1
            else:
                errors.write({"id": outcome.id, "reason": outcome.reason})
                summary.failed += 1
            if outcome.pid:
                prev = summary.worker_peak_rss_mb.get(outcome.pid, 0.0)
                summary.worker_peak_rss_mb[outcome.pid] = max(prev, outcome.peak_rss_mb)
            progress.advance()

        try:
            if options.engine == "spark":
                from cac.spark.jobs import run_spark

                run_spark(todo(), options, record)
            elif options.workers == 1:
                init_worker(options.threshold, options.dense)
                for doc in todo():
                    record(code_document(doc, options.setting, options.note_type))
            else:
                _run_pool(todo(), options, record)
        finally:
            summary.seconds = time.perf_counter() - t0
            progress.stop()
    if parquet:
        finish_parquet(lines_path, out)
    return summary


def _run_pool(docs: Iterable[Document], options: BatchOptions, record: Callable[[Outcome], None]) -> None:
    """Code in ``options.workers`` processes, each loading the engine once; results recorded as they finish."""
    it = iter(docs)
    limit = options.workers * IN_FLIGHT_PER_WORKER
    context = get_context("spawn")
    exhausted = False
    while not exhausted:
        pool = ProcessPoolExecutor(
            options.workers,
            mp_context=context,
            initializer=init_pool_worker,
            initargs=(options.threshold, options.dense),
        )
        pending: dict[Future[Outcome], Document] = {}
        try:
            while True:
                while len(pending) < limit:
                    doc = next(it, None)
                    if doc is None:
                        break
                    pending[pool.submit(code_document, doc, options.setting, options.note_type)] = doc
                if not pending:
                    exhausted = True
                    break
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    doc = pending.pop(fut)
                    try:
                        record(fut.result())
                    except BrokenProcessPool:
                        pending[fut] = doc
                        raise
        except BrokenProcessPool:
            # A worker died (killed, out of memory): what the pool held is logged as failed; a fresh pool goes on.
            for doc in pending.values():
                reason = "a worker process died while this document was in flight; re-run to retry it"
                record(Outcome(doc.id, None, reason, 0, 0.0))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
