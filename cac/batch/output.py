"""Batch output: append-only JSONL (one line per finished document), resume, errors file, Parquet at the end.

Each finished document is one flushed line, so a killed run loses at most the documents in flight; a re-run
reads the ids already written (dropping a truncated last line) and codes only the rest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

PARQUET_EXTRA = "pip install 'cac[spark]' (or pyarrow)"


def errors_path(output: Path) -> Path:
    """``OUTPUT.errors.jsonl`` beside the output."""
    return output.with_name(output.name + ".errors.jsonl")


def staging_path(output: Path) -> Path:
    """Where a Parquet run appends its JSONL lines until it finishes (and resumes from)."""
    return output.with_name(output.name + ".partial.jsonl")


def is_parquet(output: Path) -> bool:
    return output.suffix.lower() in (".parquet", ".pq")


def require_pyarrow() -> None:
    """Raise a one-line error naming the extra when pyarrow is missing."""
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise RuntimeError(f"Parquet output needs pyarrow: {PARQUET_EXTRA}") from exc


def done_ids(path: Path) -> set[str]:
    """Ids already in a JSONL output; a truncated or corrupt last line (a crash mid-write) is cut off the file."""
    if not path.exists():
        return set()
    ids: set[str] = set()
    good_end = 0
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break  # the last line of a killed run: drop it, its document is redone
            try:
                ids.add(str(json.loads(raw)["id"]))
            except (ValueError, KeyError, TypeError):
                break  # a line torn by a crash; everything after it is dropped too
            good_end += len(raw)
    if good_end != path.stat().st_size:
        with path.open("r+b") as fh:
            fh.truncate(good_end)
    return ids


class LineWriter:
    """Appends one JSON object per line and flushes it to the OS at once."""

    def __init__(self, path: Path, truncate: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh: IO[str] = path.open("w" if truncate else "a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> LineWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def finish_parquet(staging: Path, output: Path) -> int:
    """Write the staged JSONL records to ``output`` as Parquet (id, setting, note_type, result as JSON text)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, list[Any]] = {"id": [], "setting": [], "note_type": [], "result": []}
    if staging.exists():
        with staging.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                for key in ("id", "setting", "note_type"):
                    columns[key].append(rec[key])
                columns["result"].append(json.dumps(rec["result"], ensure_ascii=False))
    schema = pa.schema([(k, pa.string()) for k in columns])
    tmp = output.with_name(output.name + ".tmp")
    pq.write_table(pa.table(columns, schema=schema), tmp)
    os.replace(tmp, output)
    staging.unlink(missing_ok=True)
    return len(columns["id"])
