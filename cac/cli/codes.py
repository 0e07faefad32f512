"""``cac codes``: look codes up and search them, like a coder with the index and the tabular."""

from __future__ import annotations

import typer
from rich.console import Console

from cac.cli._common import fail, one_line_errors, print_json
from cac.codesets import CodeEntry, canonical_system, normalise_code, open_store

app = typer.Typer(help="Look up and search codes.", no_args_is_help=True)

_NOTE_LABELS = {
    "inclusion_term": "Inclusion terms",
    "includes": "Includes",
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "code_first": "Code first",
    "use_additional_code": "Use additional code",
    "code_also": "Code also",
    "notes": "Notes",
    "seven_chr_note": "7th character note",
    "seven_chr_def": "7th characters",
    "short_title": "Short title",
}


def show_payload(entry: CodeEntry) -> dict[str, object]:
    """The JSON of ``cac codes show``: the entry with HCC categories flattened to their names."""
    data = entry.to_dict()
    data["hcc"] = [f"{h.category}" for h in entry.hcc]
    data["hcc_details"] = [h.__dict__ for h in entry.hcc]
    return data


@app.command()
def show(
    system: str = typer.Argument(..., help="ICD-10-CM, ICD-10-PCS, CPT or HCPCS (aliases: icd10cm, pcs, ...)"),
    code: str = typer.Argument(..., help="The code, with or without its dot."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Print everything known about a code: title, billable flag, hierarchy, notes, HCC."""
    with one_line_errors():
        system = canonical_system(system)
        norm = normalise_code(system, code)
        store = open_store()
        entry = store.get(system, norm)
        if entry is None:
            release = store.active_release(system) or "none installed"
            fail(f"{system} code {norm} does not exist in the active release ({release})", code=1)
    if as_json:
        print_json(show_payload(entry))
        return
    console = Console(highlight=False)
    flag = "billable" if entry.billable else "not billable"
    console.print(f"[bold]{entry.system} {entry.code}[/bold]  {entry.title}")
    console.print(f"  {flag} · release {entry.release} · {entry.kind}")
    if entry.chapter:
        console.print(f"  chapter {entry.chapter}")
    if entry.block:
        console.print(f"  block {entry.block}")
    if entry.parent:
        console.print(f"  parent {entry.parent}")
    if entry.children:
        shown = ", ".join(entry.children[:20]) + (" ..." if len(entry.children) > 20 else "")
        console.print(f"  children {shown}")
    for kind, texts in entry.notes.items():
        console.print(f"  [bold]{_NOTE_LABELS.get(kind, kind)}[/bold]")
        for text in texts:
            console.print(f"    - {text}")
    for kind, items in entry.inherited_notes.items():
        console.print(f"  [bold]{_NOTE_LABELS.get(kind, kind)}[/bold] (inherited)")
        for item in items:
            console.print(f"    - {item['text']}  [dim]({item['from']})[/dim]")
    for hcc in entry.hcc:
        console.print(f"  {hcc.model} {hcc.category}: {hcc.label} (payment year {hcc.payment_year})")
    if entry.index_terms:
        console.print("  [bold]Index terms[/bold]")
        for term in entry.index_terms[:10]:
            console.print(f"    - {term}")


@app.command()
def search(
    query: str = typer.Argument(..., help="Words to look for, e.g. 'type 2 diabetes with CKD'."),
    system: str | None = typer.Option(None, "--system", "-s", help="Only this code system."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=1000, help="How many results."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Rank codes by how well their titles, inclusion terms and index terms match the query."""
    with one_line_errors():
        if system:
            system = canonical_system(system)
        store = open_store()
        hits = store.search(query, system=system, limit=limit)
    if as_json:
        print_json([h.to_dict() for h in hits])
        return
    if not hits:
        typer.echo("no matches")
        raise typer.Exit(1)
    console = Console(highlight=False)
    for rank, hit in enumerate(hits, 1):
        billable = "" if hit.billable else "  [dim](not billable)[/dim]"
        console.print(f"{rank:>3}. {hit.system:<10} {hit.code:<9} {hit.score:.2f}  {hit.title}{billable}")
        if hit.source != "title" and hit.matched != hit.title:
            console.print(f"       [dim]{hit.source}: {hit.matched}[/dim]")
