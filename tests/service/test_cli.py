"""``cac users add/list/revoke`` against a SQLite file, and the keys it prints working on the API."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cac.cli.users import app as users_app
from tests.service.conftest import auth, service

runner = CliRunner()


def test_users_cli(db_url, fake_engine, store):
    r = runner.invoke(users_app, ["add", "Pat Auditor", "--role", "auditor", "--database-url", db_url, "--json"])
    assert r.exit_code == 0, r.output
    made = json.loads(r.output)
    assert made["role"] == "auditor" and made["api_key"].startswith("cac_")
    bad = runner.invoke(users_app, ["add", "x", "--role", "boss", "--database-url", db_url])
    assert bad.exit_code != 0 and "unknown role" in bad.output
    listed = runner.invoke(users_app, ["list", "--database-url", db_url, "--json"])
    assert [u["name"] for u in json.loads(listed.output)] == ["Pat Auditor"]
    assert made["api_key"] not in listed.output
    with service(db_url, fake_engine, store) as (client, _):
        assert client.get("/v1/encounters", headers=auth(made["api_key"])).status_code == 200
        r = runner.invoke(users_app, ["revoke", made["key_id"], "--database-url", db_url])
        assert r.exit_code == 0 and "revoked" in r.output
        assert client.get("/v1/encounters", headers=auth(made["api_key"])).status_code == 401
    again = runner.invoke(users_app, ["revoke", made["key_id"], "--database-url", db_url])
    assert again.exit_code != 0 and "already revoked" in again.output
