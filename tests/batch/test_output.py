"""Output bookkeeping: resume reads finished ids and cuts a line torn by a crash."""

from __future__ import annotations

import json
from pathlib import Path

from cac.batch.output import LineWriter, done_ids, errors_path


def test_done_ids_drops_a_truncated_last_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with LineWriter(out) as w:
        w.write({"id": "a", "result": {}})
        w.write({"id": "b", "result": {}})
    whole = out.read_bytes()
    out.write_bytes(whole + b'{"id": "c", "res')  # killed mid-write
    assert done_ids(out) == {"a", "b"}
    assert out.read_bytes() == whole  # the torn line is gone, so appending goes on cleanly


def test_done_ids_stops_at_a_corrupt_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"id": "a"}) + "\n" + "\x00\x00garbage\n" + json.dumps({"id": "z"}) + "\n")
    assert done_ids(out) == {"a"}
    assert out.read_text() == json.dumps({"id": "a"}) + "\n"


def test_missing_output_means_nothing_done(tmp_path: Path) -> None:
    assert done_ids(tmp_path / "none.jsonl") == set()
    assert errors_path(tmp_path / "x.jsonl").name == "x.jsonl.errors.jsonl"
