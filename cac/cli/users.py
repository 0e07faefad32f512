"""``cac users``: API keys for the coding service (add, list, revoke)."""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING

import typer

from cac.cli._common import fail

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from cac.service.audit import Actor

app = typer.Typer(help="Manage the coding service's API keys.", no_args_is_help=True)

_DB_OPTION = typer.Option(
    None, "--database-url", help="SQLAlchemy URL (default: CAC_DATABASE_URL, else a SQLite file in CAC_HOME)."
)


def _sessions(database_url: str | None) -> sessionmaker[Session]:
    from cac.service.config import ServiceSettings
    from cac.service.db.session import open_database

    url = database_url or ServiceSettings.from_env().database_url
    return open_database(url).write


def _actor() -> Actor:
    from cac.service.audit import Actor

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor(name=f"cli:{who}", role="admin")


@app.command()
def add(
    name: str = typer.Argument(..., help="Who the key is for."),
    role: str = typer.Option(..., "--role", "-r", help="coder, cdi, auditor or admin."),
    database_url: str | None = _DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create an API key and print it (once: only its salted hash is stored)."""
    from cac.service import keys
    from cac.service.db.session import transaction
    from cac.service.errors import ServiceError

    try:
        with transaction(_sessions(database_url)) as session:
            row, plaintext = keys.add_key(session, _actor(), name, role)
            out = {"id": row.id, "key_id": row.key_id, "name": row.name, "role": row.role, "api_key": plaintext}
    except ServiceError as exc:
        fail(str(exc.detail))
    if as_json:
        typer.echo(json.dumps(out))
    else:
        typer.echo(f"{out['name']} ({out['role']}), key id {out['key_id']}")
        typer.echo(out["api_key"])


@app.command("list")
def list_(
    include_revoked: bool = typer.Option(False, "--all", help="Show revoked keys too."),
    database_url: str | None = _DB_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List API keys (never the keys themselves)."""
    from cac.service import keys

    with _sessions(database_url)() as session:
        rows = [keys.user_out(k).model_dump(mode="json") for k in keys.list_keys(session, include_revoked)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        state = f"revoked {r['revoked_at']}" if r["revoked_at"] else "active"
        typer.echo(f"{r['key_id']}  {r['role']:<8} {r['name']}  ({state})")


@app.command()
def revoke(
    ident: str = typer.Argument(..., help="Key id, numeric id, or the name when only one active key has it."),
    database_url: str | None = _DB_OPTION,
) -> None:
    """Revoke an API key; it stops working at once."""
    from cac.service import keys
    from cac.service.db.session import transaction
    from cac.service.errors import ServiceError

    try:
        with transaction(_sessions(database_url)) as session:
            row = keys.revoke_key(session, _actor(), ident)
            typer.echo(f"revoked {row.key_id} ({row.name}, {row.role})")
    except ServiceError as exc:
        fail(str(exc.detail))
