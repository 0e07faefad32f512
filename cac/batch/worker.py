"""What runs inside a worker process: the engine loaded once, then one document at a time."""

from __future__ import annotations

import os
import resource
import sys
import traceback
from dataclasses import dataclass
from typing import Any

from cac.batch.readers import Document

_ENGINE: Any = None
_OPTIONS: dict[str, Any] = {}


@dataclass(frozen=True)
class Outcome:
    """One document's result (``record``) or failure (``reason``), with the worker's pid and peak memory."""

    id: str
    record: dict[str, Any] | None
    reason: str | None
    pid: int
    peak_rss_mb: float


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def init_worker(threshold: float | None = None, dense: bool | None = None) -> None:
    """Process-pool initializer: load the engine once for this process."""
    global _ENGINE
    import cac

    _OPTIONS.update({k: v for k, v in {"threshold": threshold, "dense": dense}.items() if v is not None})
    _ENGINE = cac.load(**_OPTIONS)


def init_pool_worker(threshold: float | None = None, dense: bool | None = None) -> None:
    """Initializer of a pool process: Ctrl-C is the parent's to handle (it stops the batch cleanly)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(threshold, dense)


def code_document(doc: Document, setting: str, note_type: str | None) -> Outcome:
    """Code one document with this process's engine; any failure becomes a reason, never an exception."""
    from cac.coding import InvalidRequestError

    if _ENGINE is None:
        init_worker()
    doc_setting = doc.setting or setting
    doc_note_type = doc.note_type or note_type
    pid = os.getpid()
    try:
        if not doc.text.strip():
            raise InvalidRequestError("empty note text")
        result = _ENGINE.suggest(doc.text, setting=doc_setting, note_type=doc_note_type)
    except InvalidRequestError as exc:
        return Outcome(doc.id, None, str(exc), pid, peak_rss_mb())
    except Exception as exc:  # one bad document must not stop the batch
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"{type(exc).__name__}: {exc} (at {os.path.basename(where.filename)}:{where.lineno})"
        return Outcome(doc.id, None, reason, pid, peak_rss_mb())
    record = {"id": doc.id, "setting": doc_setting, "note_type": doc_note_type, "result": result}
    return Outcome(doc.id, record, None, pid, peak_rss_mb())
