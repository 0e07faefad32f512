"""Assembling the clinical pipeline from its config, once per process."""

from __future__ import annotations

import contextlib
import warnings
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import cac.nlp.components  # noqa: F401  (registers the factories)
import cac.nlp.tokenizer  # noqa: F401  (registers the tokenizer)
from cac.nlp.components import set_note_text
from cac.nlp.lexicon import RESOURCES

CONFIG_PATH = RESOURCES / "pipeline_config.txt"  # spaCy config format (.txt so it ships as package data)
MAX_CHARS = 2_000_000


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The clinical spaCy pipeline (blank English + our components), built once per process."""
    with contextlib.suppress(ImportError):  # scispacy is a pinned dependency
        import scispacy.abbreviation  # noqa: F401  (registers "abbreviation_detector")
    config = spacy.util.load_config(CONFIG_PATH)
    nlp = spacy.blank("en", config=config)
    nlp.max_length = MAX_CHARS + 1
    return nlp


def analyze(text: str) -> Doc:
    """Run the pipeline on one note; never raises on a str (offsets index the original text)."""
    nlp = load_pipeline()
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text) >= nlp.max_length:
        nlp.max_length = len(text) + 1
    doc = set_note_text(nlp.make_doc(text), text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scispacy's empty global matcher (W036)
        return nlp(doc)
