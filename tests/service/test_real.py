"""The real engine: in process through TestClient, and in a real uvicorn process that is restarted."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cac.cli.users import app as users_app
from tests.service.conftest import auth, service

SHORT_NOTE = "Assessment: type 2 diabetes mellitus with diabetic chronic kidney disease. No chest pain."
REPO_ROOT = Path(__file__).resolve().parents[2]


def test_real_engine_in_process(db_url, store):
    with service(db_url, None, None) as (client, keys):
        r = client.post(
            "/v1/encounters", json={"text": SHORT_NOTE, "setting": "outpatient"}, headers=auth(keys["coder"])
        )
        assert r.status_code == 201, r.text
        res = r.json()
        proposed = {s["code"]: s for s in res["suggestions"] if s["score"] >= res["threshold"]}
        assert "E11.22" in proposed
        ev = proposed["E11.22"]["evidence"][0]
        assert SHORT_NOTE[ev["start"] : ev["end"]] == ev["text"] and "diabetes" in ev["text"]
        assert res["engine_version"] and res["codeset_versions"]["ICD-10-CM"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    from evaluation.load_bench import start_server

    return start_server(db_url, port, log, timeout=90, log_level="info")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.slow
def test_uvicorn_process_restart_keeps_decisions(tmp_path, store):
    db_url = f"sqlite:///{tmp_path / 'served.db'}"
    made = CliRunner().invoke(users_app, ["add", "Casey", "--role", "coder", "--database-url", db_url, "--json"])
    key = json.loads(made.output)["api_key"]
    marker = "QQMARKER-5d1b"
    log = tmp_path / "server.log"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(db_url, port, log)
    try:
        health = httpx.get(f"{base}/health").json()
        assert health["status"] == "ok" and health["database"] == "ok"
        assert httpx.get(f"{base}/v1/encounters").status_code == 401
        assert httpx.get(f"{base}/docs").status_code == 200
        r = httpx.post(f"{base}/v1/encounters", json={"text": f"{SHORT_NOTE} {marker}"}, headers=auth(key), timeout=60)
        assert r.status_code == 201, r.text
        enc = r.json()
        target = next(s for s in enc["suggestions"] if s["code"] == "E11.22")
        body = {"action": "accept", "suggestion_id": target["id"]}
        d = httpx.post(f"{base}/v1/encounters/{enc['id']}/decisions", json=body, headers=auth(key))
        assert d.status_code == 201
    finally:
        _stop(proc)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _start(db_url, port, log)
    try:
        got = httpx.get(f"{base}/v1/encounters/{enc['id']}", headers=auth(key)).json()
        kept = next(s for s in got["suggestions"] if s["id"] == target["id"])
        assert kept["status"] == "accepted" and kept["decision"]["actor"] == "Casey"
        assert [d["action"] for d in got["decisions"]] == ["accept"]
    finally:
        _stop(proc)
    text = log.read_text()
    assert "POST /v1/encounters" in text and marker not in text
