"""``cac evaluate``: score an engine on team annotations, CodiEsp, NegEx and BioScope (interfaces.md 3-4)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import typer

from cac.cli._common import fail, print_json

app = typer.Typer(
    help="Score a coding engine on annotated notes and public benchmarks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ENGINE_HELP = "baseline (exact title/inclusion-term match) or cac; default: cac when cac.load exists, else baseline."
JSON_HELP = "Print the result as JSON."
REPORT_HELP = "Also write report.md with PNG plots into this folder."


def _command() -> str:
    return "cac evaluate " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv else "cac evaluate"


def _engine(name: str | None) -> tuple[str, Any]:
    from evaluation.engines import EngineUnavailableError, resolve_engine

    try:
        return resolve_engine(name or "auto")
    except EngineUnavailableError as exc:
        fail(str(exc))


def _public(result: dict[str, Any]) -> dict[str, Any]:
    from evaluation.report import _public as strip

    out: dict[str, Any] = strip(result)
    return out


def _emit(result: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    if as_json:
        print_json(_public(result))
    else:
        for line in lines:
            typer.echo(line)


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


@app.command("annotations")
def annotations_command(
    file: Path = typer.Argument(..., help="Annotated notes, JSONL (interfaces.md section 1)."),
    engine: str | None = typer.Option(None, "--engine", help=ENGINE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    report: Path | None = typer.Option(None, "--report", help=REPORT_HELP),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N documents."),
) -> None:
    """Score an engine on team-annotated notes: codes, evidence, assertions, throughput."""
    from evaluation.annotations import AnnotationError, load_annotations
    from evaluation.report import ReportData, ScoredDoc, write_report
    from evaluation.run_annotations import evaluate_annotations
    from evaluation.scoring import gold_codes

    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        docs = load_annotations(file)
    except AnnotationError as exc:
        typer.echo(f"cac: error: {exc}", err=True)
        raise typer.Exit(2) from None
    docs = docs[:limit] if limit else docs
    name, eng = _engine(engine)
    result, raw = evaluate_annotations(eng, docs)
    result["engine"] = name
    if report:
        scored = [
            ScoredDoc(set(gold_codes(d)), [((s["system"], s["code"]), float(s["score"])) for s in r["suggestions"]])
            for d, r in zip(docs, raw, strict=True)
        ]
        threshold = float(raw[0]["threshold"]) if raw else None
        write_report(
            report,
            ReportData(
                f"Annotations: {file.name} ({name})", _command(), result, scored, result["_latencies_ms"], threshold
            ),
        )
    c = result["codes"]["all"]
    _emit(
        result,
        as_json,
        [
            f"{result['documents']} documents, engine {name}",
            f"codes: P {_pct(c['precision'])}  R {_pct(c['recall'])}  F1 {_pct(c['f1'])}  MAP {c['map']:.3f}  "
            f"P@5 {c['precision_at_5']:.3f}  R@10 {c['recall_at_10']:.3f}  R@15 {c['recall_at_15']:.3f}  "
            f"macro F1 {_pct(result['codes']['macro_f1'])}",
            f"evidence: P {_pct(result['evidence']['precision'])}  R {_pct(result['evidence']['recall'])}  "
            f"F1 {_pct(result['evidence']['f1'])}",
            f"assertion: accuracy {_pct(result['assertion']['accuracy'])}  "
            f"mention recall {_pct(result['assertion']['mention_recall'])}",
            f"throughput: {result['throughput']['notes_per_second']:.1f} notes/s, "
            f"p50 {result['throughput']['ms_per_note_p50']:.1f} ms, "
            f"p95 {result['throughput']['ms_per_note_p95']:.1f} ms, "
            f"peak RSS {result['throughput']['peak_rss_mb']:.0f} MB",
        ],
    )


@app.command("codiesp")
def codiesp(
    data: Path = typer.Option(..., "--data", help="The CodiEsp folder (holding train/, dev/, test/)."),
    split: str = typer.Option("dev", "--split", help="dev or test (test: final reporting only)."),
    task: str = typer.Option("D", "--task", help="D (ICD-10-CM diagnoses) or P (ICD-10-PCS procedures)."),
    engine: str | None = typer.Option(None, "--engine", help=ENGINE_HELP),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N documents (by file name)."),
    out: Path | None = typer.Option(None, "--out", help="Write ranked predictions here (official submission format)."),
    setting: str = typer.Option("inpatient", "--setting", help="Setting passed to the engine for every case."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    report: Path | None = typer.Option(None, "--report", help=REPORT_HELP),
) -> None:
    """Score an engine on CodiEsp-D or -P (English translations), the CLEF eHealth 2020 way."""
    from evaluation.codiesp import TASK_SYSTEMS, evaluate_codiesp, load_split, write_submission
    from evaluation.report import ReportData, ScoredDoc, write_report

    task = task.upper()
    if split not in ("train", "dev", "test"):
        fail(f"unknown split {split!r}; expected train, dev or test")
    if task not in TASK_SYSTEMS:
        fail(f"unknown task {task!r}; expected D or P")
    try:
        docs = load_split(data, split, task, limit)
    except (OSError, ValueError) as exc:
        fail(str(exc))
    name, eng = _engine(engine)
    from cac.codesets import open_store

    store = open_store(quiet=True)
    result, ranked = evaluate_codiesp(eng, docs, task, store.is_valid, setting=setting)
    result["engine"] = name
    result["split"] = split
    if out:
        write_submission(out, ranked)
        result["predictions_file"] = str(out)
    if report:
        system = TASK_SYSTEMS[task]
        scored = [
            ScoredDoc({(system, c) for c in result["_gold"][d]}, [((system, c), s) for c, s in result["_scored"][d]])
            for d in result["_scored"]
        ]
        threshold = getattr(eng, "threshold", None)
        write_report(
            report,
            ReportData(
                f"CodiEsp-{task} {split} ({name})", _command(), result, scored, result["_latencies_ms"], threshold
            ),
        )
    _emit(
        result,
        as_json,
        [
            f"CodiEsp-{task} {split}: {result['documents']} documents, engine {name}",
            f"MAP {result['map']:.3f}  P {_pct(result['precision'])}  R {_pct(result['recall'])}  "
            f"F1 {_pct(result['f1'])}",
            f"gold codes not valid in our release: {_pct(result['gold_codes_invalid_share'])}",
            f"throughput: {result['throughput']['notes_per_second']:.1f} notes/s",
        ],
    )


@app.command("negex")
def negex(
    file: Path = typer.Argument(..., help="NegEx annotations (rsAnnotations-1-120-random.txt)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    report: Path | None = typer.Option(None, "--report", help=REPORT_HELP),
) -> None:
    """Score the assertion step on NegEx (condition, sentence) pairs: negation and historical."""
    from evaluation.negex import evaluate_negex, load_pairs
    from evaluation.report import ReportData, write_report

    if not file.is_file():
        fail(f"{file}: no such file")
    result = evaluate_negex(load_pairs(file))
    if report:
        write_report(
            report, ReportData(f"NegEx: {file.name}", _command(), result, latencies_ms=result["_latencies_ms"])
        )
    _emit(
        result,
        as_json,
        [
            f"{result['pairs']} pairs ({result['condition_not_found']} skipped: condition not in sentence)",
            f"negated: P {_pct(result['negated']['precision'])}  R {_pct(result['negated']['recall'])}  "
            f"F1 {_pct(result['negated']['f1'])}  accuracy {_pct(result['accuracy'])}",
            f"historical: P {_pct(result['historical']['precision'])}  R {_pct(result['historical']['recall'])}  "
            f"F1 {_pct(result['historical']['f1'])}",
        ],
    )


@app.command("bioscope")
def bioscope(
    file: Path = typer.Argument(..., help="BioScope XML (clinical_records_merged.xml)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    report: Path | None = typer.Option(None, "--report", help=REPORT_HELP),
) -> None:
    """Score sentence-level negation and speculation cue detection on BioScope."""
    from evaluation.bioscope import evaluate_bioscope, load_sentences
    from evaluation.report import ReportData, write_report

    if not file.is_file():
        fail(f"{file}: no such file")
    result = evaluate_bioscope(load_sentences(file))
    if report:
        write_report(
            report, ReportData(f"BioScope: {file.name}", _command(), result, latencies_ms=result["_latencies_ms"])
        )
    _emit(
        result,
        as_json,
        [f"{result['sentences']} sentences"]
        + [
            f"{k}: P {_pct(result[k]['precision'])}  R {_pct(result[k]['recall'])}  F1 {_pct(result[k]['f1'])}"
            for k in ("negation", "speculation")
        ],
    )


if __name__ == "__main__":
    app()
