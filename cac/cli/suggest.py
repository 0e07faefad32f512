"""``cac suggest``: code one note from a file or standard input."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from cac.cli._common import fail, one_line_errors, print_json

MAX_NOTE_BYTES = 5_000_000


def read_note(source: str) -> str:
    """The note text from a path or '-' (stdin), as UTF-8 (a BOM is dropped)."""
    if source == "-":
        raw = sys.stdin.buffer.read()
        name = "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            fail(f"{source}: no such file")
        raw = path.read_bytes()
        name = source
    if len(raw) > MAX_NOTE_BYTES:
        fail(f"{name}: note is {len(raw):,} bytes; the limit is {MAX_NOTE_BYTES:,}")
    try:
        return raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        fail(f"{name}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})")


def suggest(
    source: str = typer.Argument(..., help="A note file, or - to read standard input."),
    setting: str = typer.Option("outpatient", "--setting", help="outpatient, inpatient or emergency."),
    note_type: str | None = typer.Option(None, "--note-type", help="progress_note, discharge_summary, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print the full JSON result."),
    show_all: bool = typer.Option(False, "--all", help="Also list candidates below the threshold."),
) -> None:
    """Suggest ICD-10-CM, ICD-10-PCS, CPT and HCPCS codes for a note, with evidence."""
    from cac.coding import InvalidRequestError, load

    text = read_note(source)
    with one_line_errors():
        try:
            result = load().suggest(text, setting=setting, note_type=note_type)
        except InvalidRequestError as exc:
            fail(str(exc))
    if as_json:
        print_json(result)
        return
    console = Console(highlight=False)
    threshold = result["threshold"]
    shown = [s for s in result["suggestions"] if show_all or s["score"] >= threshold]
    if not shown:
        console.print("no codes suggested")
    for s in shown:
        marker = "" if s["score"] >= threshold else "[dim](below threshold)[/dim] "
        evidence = "; ".join(f'"{e["text"]}" @{e["start"]}' for e in s["evidence"][:3])
        flags = f" [{', '.join(s['flags'])}]" if s["flags"] else ""
        console.print(f"{s['score']:.2f} {s['system']:<10} {s['code']:<8} {marker}{s['title']}{flags}")
        console.print(f"     [dim]{evidence} — {s['rationale']}[/dim]")
