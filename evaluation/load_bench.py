"""Load benchmark of the coding service, on loopback only.

    python -m evaluation.load_bench --seconds 60 --clients 8

Starts ``cac serve`` (the real engine) on 127.0.0.1 with a fresh SQLite file, creates a coder key, and runs
``--clients`` threads that post MTSamples notes (``../shared/data/mtsamples/mtsamples.csv.gz``) for ``--seconds``
(and at most ``--max-requests`` notes), each followed by one accept decision on the encounter's top suggestion.
Then it reads every encounter back and checks each posted decision is there. Prints JSON: requests/s,
p50/p95/p99 latency, error count, decisions verified.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT / ".." / "shared" / "data" / "mtsamples" / "mtsamples.csv.gz"


def load_notes(path: Path, limit: int) -> list[str]:
    csv.field_size_limit(10**8)
    notes = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = (row.get("transcription") or "").strip()
            if text:
                notes.append(text)
            if len(notes) >= limit:
                break
    return notes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def create_key(db_url: str) -> str:
    from cac.service.audit import Actor
    from cac.service.db.session import open_database, transaction
    from cac.service.keys import add_key

    database = open_database(db_url)
    with transaction(database.write) as session:
        _, key = add_key(session, Actor("load-bench", "admin"), "load-bench coder", "coder")
    database.dispose()
    return key


def start_server(
    db_url: str, port: int, log: Path, timeout: float = 120, log_level: str = "warning"
) -> subprocess.Popen[bytes]:
    """``cac serve`` on loopback, once ``/health`` answers; its output is appended to ``log``."""
    cmd = [sys.executable, "-m", "cac.cli.serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--database-url", db_url, "--log-level", log_level]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=os.environ.copy())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server did not answer /health in {timeout:.0f} s; see {log}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    create_ms: list[float] = field(default_factory=list)
    decide_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    decisions: list[tuple[int, int, int]] = field(default_factory=list)  # (encounter, suggestion, decision)
    without_suggestions: int = 0
    created: int = 0


def _timed(
    client: httpx.Client, method: str, url: str, body: dict[str, Any]
) -> tuple[httpx.Response | None, float, str]:
    started = time.perf_counter()
    try:
        resp = client.request(method, url, json=body)
    except httpx.HTTPError as exc:
        return None, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}"
    return resp, (time.perf_counter() - started) * 1000, ""


def worker(
    base: str,
    key: str,
    notes: list[str],
    counter: itertools.count[int],
    stop_at: float,
    max_requests: int,
    tally: Tally,
) -> None:
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=300) as client:
        while time.monotonic() < stop_at:
            n = next(counter)
            if n >= max_requests:
                return
            resp, ms, err = _timed(
                client, "POST", "/v1/encounters", {"text": notes[n % len(notes)], "setting": "outpatient"}
            )
            with tally.lock:
                tally.create_ms.append(ms)
            if resp is None or resp.status_code != 201:
                with tally.lock:
                    tally.errors.append(err or f"POST /v1/encounters -> {resp.status_code if resp else '?'}")
                continue
            enc = resp.json()
            with tally.lock:
                tally.created += 1
            if not enc["suggestions"]:
                with tally.lock:
                    tally.without_suggestions += 1
                continue
            top = enc["suggestions"][0]["id"]
            body = {"action": "accept", "suggestion_id": top}
            resp, ms, err = _timed(client, "POST", f"/v1/encounters/{enc['id']}/decisions", body)
            with tally.lock:
                tally.decide_ms.append(ms)
                if resp is None or resp.status_code != 201:
                    tally.errors.append(err or f"POST decisions -> {resp.status_code if resp else '?'}")
                else:
                    tally.decisions.append((enc["id"], top, resp.json()["decision"]["id"]))


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    if len(values) == 1:
        v = round(values[0], 1)
        return {"p50": v, "p95": v, "p99": v, "max": v}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(q[49], 1), "p95": round(q[94], 1), "p99": round(q[98], 1), "max": round(max(values), 1)}


def verify(base: str, key: str, decisions: list[tuple[int, int, int]]) -> tuple[int, list[str]]:
    missing = []
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
        for enc_id, sugg_id, dec_id in decisions:
            got = client.get(f"/v1/encounters/{enc_id}")
            ok = got.status_code == 200 and any(
                d["id"] == dec_id and d["suggestion_id"] == sugg_id and d["action"] == "accept"
                for d in got.json()["decisions"]
            )
            if not ok:
                missing.append(f"encounter {enc_id} decision {dec_id}")
    return len(decisions) - len(missing), missing


def run(seconds: float, clients: int, max_requests: int, data: Path, notes_limit: int) -> dict[str, Any]:
    notes = load_notes(data, notes_limit)
    with tempfile.TemporaryDirectory(prefix="cac-load-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        key = create_key(db_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "server.log"
        proc = start_server(db_url, port, log)
        try:
            tally = Tally()
            counter = itertools.count()
            started = time.monotonic()
            threads = [
                threading.Thread(
                    target=worker, args=(base, key, notes, counter, started + seconds, max_requests, tally)
                )
                for _ in range(clients)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
            verified, missing = verify(base, key, tally.decisions)
        finally:
            stop_server(proc)
            server_log = log.read_text(errors="replace")
    requests = len(tally.create_ms) + len(tally.decide_ms)
    return {
        "clients": clients,
        "seconds_requested": seconds,
        "elapsed_s": round(elapsed, 1),
        "notes_available": len(notes),
        "requests": requests,
        "requests_per_s": round(requests / elapsed, 2),
        "encounters_per_s": round(len(tally.create_ms) / elapsed, 2),
        "latency_ms": {
            "all": percentiles(tally.create_ms + tally.decide_ms),
            "create_encounter": percentiles(tally.create_ms),
            "decision": percentiles(tally.decide_ms),
        },
        "errors": len(tally.errors),
        "error_samples": tally.errors[:10],
        "encounters_created": tally.created,
        "encounters_without_suggestions": tally.without_suggestions,
        "decisions_posted": len(tally.decisions),
        "decisions_verified": verified,
        "decisions_missing": missing[:10],
        "server_log_errors": sum(1 for line in server_log.splitlines() if " ERROR " in line),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="How long the clients post (default 60).")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients (default 8).")
    parser.add_argument("--max-requests", type=int, default=5000, help="At most this many notes in all.")
    parser.add_argument("--notes", type=int, default=1000, help="How many MTSamples notes to cycle through.")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="mtsamples.csv.gz")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or not 0 < args.clients <= 64:
        parser.error("--seconds must be in (0, 600] and --clients in (0, 64]")
    if not args.data.exists():
        print(f"load_bench: {args.data} not found", file=sys.stderr)
        return 2
    report = run(args.seconds, args.clients, args.max_requests, args.data, args.notes)
    print(json.dumps(report, indent=2))
    ok = report["errors"] == 0 and report["decisions_verified"] == report["decisions_posted"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
