"""``cac bench``: speed and memory benchmarks, reported rather than asserted."""

from __future__ import annotations

import typer

from cac.cli._common import one_line_errors, print_json

app = typer.Typer(help="Benchmarks (latency, throughput, memory).", no_args_is_help=True)


@app.command()
def codesets(
    queries: int = typer.Option(1000, "--queries", min=10, help="How many show and search calls."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Cold start, warm ``codes show`` and ``codes search`` latency p50/p95."""
    from cac.codesets import open_store
    from cac.codesets.bench import run_benchmark

    with one_line_errors():
        result = run_benchmark(open_store(), n_queries=queries)
    if as_json:
        print_json(result)
        return
    cold = result["cold_start"]
    typer.echo(f"releases: {result['releases']}")
    typer.echo(
        f"cold start (new process, import + open + first show + first search): "
        f"{cold['process_ms_median']:.0f} ms; in-process part {cold['open_first_show_search_ms_median']:.0f} ms"
    )
    for name in ("show", "search"):
        r = result[name]
        typer.echo(
            f"{name:<7} n={r['n']}  p50 {r['p50_ms']:.3f} ms  p95 {r['p95_ms']:.3f} ms  max {r['max_ms']:.1f} ms"
        )


@app.command()
def nlp(
    mtsamples: str = typer.Argument(
        ..., help="MTSamples CSV (.csv or .csv.gz), e.g. ../shared/data/mtsamples/mtsamples.csv.gz"
    ),
    limit: int = typer.Option(0, "--limit", min=0, help="Only the first N notes (0 = all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """NLP pipeline throughput next to spaCy's bare tokenizer on the same notes, and peak memory."""
    from cac.nlp.bench import read_mtsamples, run_benchmark

    with one_line_errors():
        notes = read_mtsamples(mtsamples)
    result = run_benchmark(notes[:limit] if limit else notes)
    if as_json:
        print_json(result)
        return
    for key, value in result.items():
        typer.echo(f"{key}: {value}")


@app.command()
def suggest(
    mtsamples: str = typer.Argument(..., help="MTSamples CSV (.csv or .csv.gz)."),
    limit: int = typer.Option(500, "--limit", min=0, help="Only the first N notes (0 = all)."),
    setting: str = typer.Option("outpatient", "--setting", help="outpatient, inpatient or emergency."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Warm ``engine.suggest`` latency p50/p95 per note and peak memory."""
    from cac.coding.bench import run_benchmark
    from cac.nlp.bench import read_mtsamples

    with one_line_errors():
        notes = read_mtsamples(mtsamples)
    result = run_benchmark(notes[:limit] if limit else notes, setting=setting)
    if as_json:
        print_json(result)
        return
    for key, value in result.items():
        typer.echo(f"{key}: {value}")
