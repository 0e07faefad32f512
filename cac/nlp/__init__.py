"""Clinical NLP: a spaCy pipeline that turns a note into a Doc with sections, sentences, abbreviations and
asserted problem/procedure mentions (see ``load_pipeline``, ``analyze``, ``assert_target``, ``detect_cues``)."""

from cac.nlp.assertion import assert_target, detect_cues
from cac.nlp.pipeline import analyze, load_pipeline
from cac.nlp.types import ASSERTIONS, AssertionResult, Cue, Mention, Section, Trigger

__all__ = [
    "ASSERTIONS",
    "AssertionResult",
    "Cue",
    "Mention",
    "Section",
    "Trigger",
    "analyze",
    "assert_target",
    "detect_cues",
    "load_pipeline",
]
