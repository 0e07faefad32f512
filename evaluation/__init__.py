"""The evaluation harness: score any engine with the ``suggest`` contract the same way.

    from evaluation import load_annotations, evaluate_annotations, resolve_engine
    name, engine = resolve_engine("baseline")
    result, _ = evaluate_annotations(engine, load_annotations("annotations/dev.jsonl"))

Runners: ``evaluate_annotations`` (team notes), ``evaluate_codiesp``, ``evaluate_negex``, ``evaluate_bioscope``;
``cac evaluate ...`` drives them from the command line.
"""

from evaluation.annotations import AnnotationError, Document, load_annotations
from evaluation.baselines import TermMatchBaseline
from evaluation.bioscope import evaluate_bioscope, load_sentences
from evaluation.codiesp import evaluate_codiesp, load_split, write_submission
from evaluation.engines import EngineUnavailableError, SuggestEngine, resolve_engine
from evaluation.negex import evaluate_negex, load_pairs
from evaluation.run_annotations import evaluate_annotations
from evaluation.scoring import score_documents

__all__ = [
    "AnnotationError",
    "Document",
    "EngineUnavailableError",
    "SuggestEngine",
    "TermMatchBaseline",
    "evaluate_annotations",
    "evaluate_bioscope",
    "evaluate_codiesp",
    "evaluate_negex",
    "load_annotations",
    "load_pairs",
    "load_sentences",
    "load_split",
    "resolve_engine",
    "score_documents",
    "write_submission",
]
