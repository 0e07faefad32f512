"""The issue's acceptance test: ``cac batch`` with 2 workers, killed part-way, re-run: every id exactly once,
each equal to a single-process run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.conftest import N_NOTES, read_output, write_jsonl

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


def batch_command() -> list[str]:
    """``cac batch`` once it is registered on the main command, else the same command module run on its own."""
    from cac.cli import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    return [sys.executable, "-m", "cac", "batch"] if "batch" in names else [sys.executable, "-m", "cac.cli.batch"]


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_killed_batch_resumes_without_loss_or_duplicates(tmp_path: Path, mts_notes, reference) -> None:
    assert len(mts_notes) == N_NOTES
    src = write_jsonl(tmp_path / "in.jsonl", mts_notes)
    out = tmp_path / "out.jsonl"
    args = [*batch_command(), str(src), str(out), "--workers", "2", "--quiet", "--json"]
    log = (tmp_path / "first.log").open("w")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while _lines(out) < 10 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert proc.poll() is None, f"the batch ended before it could be killed: {(tmp_path / 'first.log').read_text()}"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and both workers, mid-batch
        proc.wait()
        log.close()
    written = _lines(out)
    assert 10 <= written < N_NOTES
    with out.open("ab") as fh:  # a line torn by the crash: dropped and redone on resume
        fh.write(b'{"id": "' + mts_notes[-1]["id"].encode() + b'", "setting": "outp')

    rerun = subprocess.run(args, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    summary = json.loads(rerun.stdout)
    assert summary["skipped_already_done"] == written
    assert summary["coded"] == N_NOTES - written and summary["failed"] == 0
    assert len(summary["worker_peak_rss_mb"]) == 2

    records = read_output(out)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == N_NOTES
    assert set(ids) == set(reference)
    for rec in records:
        assert rec["result"] == json.loads(json.dumps(reference[rec["id"]])), rec["id"]
    assert _lines(Path(str(out) + ".errors.jsonl")) == 0
