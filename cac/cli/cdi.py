"""``cac cdi FILE``: specificity gaps, physician queries, HCC and MEAT for a note; ``cac edits CODES...``:
pre-bill edits of a finalised code set; ``cac ncci import-ptp|import-mue FILE``: load the CMS NCCI files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from cac.cli._common import fail, one_line_errors, print_json
from cac.cli.suggest import read_note

ncci_app = typer.Typer(
    help="Import the CMS NCCI PTP and MUE files you supply (nothing is shipped).", no_args_is_help=True
)


def cdi(
    source: str = typer.Argument(..., help="A note file, or - to read standard input."),
    setting: str = typer.Option("outpatient", "--setting", help="outpatient, inpatient or emergency."),
    note_type: str | None = typer.Option(None, "--note-type", help="progress_note, discharge_summary, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print the full JSON report."),
) -> None:
    """Documentation improvement: what the note lacks for the most specific codes, and the queries to ask."""
    from cac.cdi import cdi_report
    from cac.coding import InvalidRequestError

    text = read_note(source)
    with one_line_errors():
        try:
            report = cdi_report(text, setting=setting, note_type=note_type)
        except InvalidRequestError as exc:
            fail(str(exc))
    if as_json:
        print_json(report)
        return
    _print_cdi(report)


def _print_cdi(report: dict[str, Any]) -> None:
    console = Console(highlight=False)
    console.print("[bold]Codes[/bold]: " + (", ".join(c["code"] for c in report["codes"]) or "none"))
    if not report["queries"]:
        console.print("no queries")
    for n, q in enumerate(report["queries"], 1):
        console.print(f"\n[bold]Query {n}[/bold] ({q['code']}: {', '.join(q['axes'])})")
        console.print(q["question"])
        for letter, option in zip("abcdefghijklmnop", q["options"], strict=False):
            console.print(f"  {letter}) {option}")
    for flag in report["hcc"]:
        own = ", ".join(h["category"] for h in flag["hcc"]) or "no HCC"
        more = "; ".join(f"{m['category']} via {', '.join(m['codes'][:3])}" for m in flag["more_specific"])
        console.print(f"HCC {flag['code']}: {own}" + (f" [dim](more specific: {more})[/dim]" if more else ""))
    for m in report["meat"]:
        letters = "".join(k[0].upper() if v else "-" for k, v in m["meat"].items())
        console.print(f"MEAT {m['code']} {letters} {'' if m['supported'] else '[red]no MEAT support[/red]'}")


def edits(
    codes: list[str] | None = typer.Argument(
        None, help="Codes in claim order: E11.22, CPT:45380, 45380=K63.5 (linked diagnoses), J1100*3 (units)."
    ),
    age: int | None = typer.Option(None, "--age", min=0, max=130, help="Patient age in years."),
    sex: str | None = typer.Option(None, "--sex", help="F or M."),
    from_json: Path | None = typer.Option(
        None, "--from-json", help='A "cac suggest --json" result, or {"codes": [...]}, or a JSON list of codes.'
    ),
    no_ncci: bool = typer.Option(False, "--no-ncci", help="Skip the NCCI edits even when imported."),
    note: Path | None = typer.Option(
        None, "--note", help="The note: flags unspecified codes whose missing detail it documents."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the full JSON result."),
) -> None:
    """Pre-bill edits on a finalised code set: Excludes1, age/sex, sequencing, unspecified, links, duplicates, NCCI."""
    from cac.cdi import prebill_edits

    if sex is not None and sex.upper() not in ("F", "M"):
        fail(f"--sex must be F or M, not {sex!r}")
    data: Any
    if from_json is not None:
        if codes:
            fail("give codes or --from-json, not both")
        try:
            data = json.loads(from_json.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            fail(f"{from_json}: {exc}")
    elif codes:
        data = list(codes)
    else:
        fail("no codes given (list them, or use --from-json)")
    with one_line_errors():
        text = read_note(str(note)) if note is not None else None
        result = prebill_edits(data, age=age, sex=sex, ncci=not no_ncci, text=text)
    if as_json:
        print_json(result)
    else:
        console = Console(highlight=False)
        if not result["edits"]:
            console.print("no edits: the code set passes")
        for e in result["edits"]:
            colour = "red" if e["severity"] == "error" else "yellow"
            console.print(f"[{colour}]{e['severity']:<7}[/{colour}] {e['kind']:<20} {e['message']}")
    if not result["clean"]:
        raise typer.Exit(1)


@ncci_app.command("import-ptp")
def import_ptp(
    path: Path = typer.Argument(..., help="A CMS PTP file (tab or comma separated, with its header row)."),
    replace: bool = typer.Option(False, "--replace", help="Drop the pairs imported before."),
) -> None:
    """Import NCCI procedure-to-procedure pairs."""
    from cac.cdi.ncci import NcciTables

    if not path.is_file():
        fail(f"{path}: no such file")
    with one_line_errors():
        tables = NcciTables()
        n = tables.import_ptp(path, replace=replace)
    typer.echo(f"imported {n} PTP pairs into {tables.path}")


@ncci_app.command("import-mue")
def import_mue(
    path: Path = typer.Argument(..., help="A CMS MUE file (tab or comma separated, with its header row)."),
    replace: bool = typer.Option(False, "--replace", help="Drop the values imported before."),
) -> None:
    """Import NCCI medically unlikely edits (maximum units per code)."""
    from cac.cdi.ncci import NcciTables

    if not path.is_file():
        fail(f"{path}: no such file")
    with one_line_errors():
        tables = NcciTables()
        n = tables.import_mue(path, replace=replace)
    typer.echo(f"imported {n} MUE values into {tables.path}")
