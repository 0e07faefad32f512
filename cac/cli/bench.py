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
