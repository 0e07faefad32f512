"""A trained final stage over ``Engine.suggest`` output: ICD-10-CM scores from a logistic model of features.

Everything the model reads is in the result dict (interfaces.md section 2) plus the setting and note type:
the hand-set score, how the code was found (the rationale's first part), the guideline rules that touched
it, its evidence spans and the sections of the mentions they cover, assertion, flags, the code's chapter,
length and neighbours. ``features`` computes them; ``Reranker.rescore`` replaces each ICD-10-CM score with
the model's probability mapped so that the model's own threshold lands on the result's threshold (a
suggestion is still proposed when ``score >= threshold``; scores stay in [0, 1]). A suggestion flagged
``set_aside`` (a code a guideline rule removed) is scored against the others without entering their features.
The weights come from ``models/reranker/train.py`` and ship as ``resources/reranker.json``; plain Python, no
scikit-learn.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from cac.coding.alternatives import is_alternative
from cac.coding.guidelines.common import SET_ASIDE_FACTOR, cap_held, is_set_aside
from cac.coding.rank import CONCLUSION_SECTIONS, DIAGNOSIS_SECTIONS, HISTORY_SECTIONS
from cac.coding.runners_up import is_runner_up

ICD = "ICD-10-CM"
SOURCES = ("index_walk", "index", "inclusion", "title", "synonym", "rule")
ASSERTIONS = ("present", "possible", "historical", "family")
FLAGS = ("hcc", "unspecified", "uncertain", "more_specific_documented")
SETTINGS = ("inpatient", "outpatient", "emergency")
# Chapters of ICD-10-CM by first letter, neighbouring letters of one chapter kept together.
CHAPTERS = ("AB", "CD", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "PQ", "R", "ST", "VWXY", "Z")
# Guideline rules recognised in the rationale (see cac.coding.guidelines), by a phrase of their text.
RULES = (
    ("rule_not_billable", re.compile(r"rule: \S+ not billable ->")),
    ("rule_combination", re.compile(r"rule: (?!\S+ not billable).*->")),
    ("rule_chronic_history", re.compile(r"rule: chronic condition")),
    ("rule_uncertain", re.compile(r"rule: uncertain diagnosis")),
    ("rule_history", re.compile(r"rule: (family|personal) history")),
    ("rule_excludes1", re.compile(r"rule: Excludes1 with")),
    ("rule_integral", re.compile(r"integral to")),
    ("rule_code_first", re.compile(r"rule: code first")),
    ("rule_sequenced_after", re.compile(r"rule: sequenced after")),
    ("rule_use_additional", re.compile(r"rule: use additional")),
    ("discounted", re.compile(r"discounted|only in the family history section")),
    ("hint", re.compile(r"hint: ")),
)
# Where a mention stands, as groups of normalised section names (a span may stand in several).
SECTION_GROUPS = (
    ("diagnosis", DIAGNOSIS_SECTIONS),
    ("conclusion", CONCLUSION_SECTIONS - DIAGNOSIS_SECTIONS),  # chief complaint, plan, findings, indication
    ("history", HISTORY_SECTIONS),  # past medical/surgical, family, social history
    ("present_illness", frozenset({"history_of_present_illness", "hospital_course"})),
    ("ros_exam", frozenset({"review_of_systems", "physical_exam"})),
)
_SOURCE_PREFIX = re.compile(r"^(index|inclusion|title|synonym|dense|lexical): ")
_WORD = re.compile(r"[a-z]{3,}")
_CODE_FIRST = re.compile(r"rule: code first (\S+) before (\S+) ")


def _source(first: str) -> str:
    m = _SOURCE_PREFIX.match(first)
    if not m:
        return "rule"
    name = m.group(1)
    if name == "index" and ", " in first:
        return "index_walk"  # the walk followed modifiers: "index: Diabetes, type 2, with, ..."
    return name if name in SOURCES else "other"


def _words(text: str) -> set[str]:
    return {w[:5] for w in _WORD.findall(text.lower())}


def feature_names() -> list[str]:
    names = [
        "score",
        "score_gap_top",
        "rank_fraction",
        "log_icd_suggestions",
        "log_evidence",
        "log_distinct_evidence",
        "evidence_words",
        "title_overlap",
        "walk_depth",
        "rationale_sources",
        "rules",
        "no_section",
        "note_has_sections",
        "code_length",
        "same_category",
        "same_category_better",
        "note_type_given",
    ]
    names += [f"section_{g}" for g, _ in SECTION_GROUPS] + ["section_other"]
    names += [f"source_{s}" for s in (*SOURCES, "other")]
    names += [name for name, _ in RULES]
    names += [f"assertion_{a}" for a in ASSERTIONS]
    names += [f"flag_{f}" for f in FLAGS]
    names += [f"chapter_{c}" for c in CHAPTERS]
    names += [f"setting_{s}" for s in SETTINGS]
    return names


def _sections_of(evidence: Sequence[Mapping[str, Any]], mentions: Sequence[Mapping[str, Any]]) -> list[str | None]:
    """The sections of the mentions each evidence span overlaps (None for a mention outside any section)."""
    out: list[str | None] = []
    for e in evidence:
        for m in mentions:
            if m["start"] < e["end"] and e["start"] < m["end"]:
                out.append(m.get("section"))
    return out


def features(
    suggestion: Mapping[str, Any],
    result: Mapping[str, Any],
    setting: str = "outpatient",
    note_type: str | None = None,
) -> dict[str, float]:
    """The model's features of one ICD-10-CM suggestion of ``result`` (names: ``feature_names()``)."""
    icd = [s for s in result.get("suggestions", []) if s.get("system") == ICD]
    mentions = result.get("mentions", [])
    code = str(suggestion["code"]).replace(".", "").upper()
    score = float(suggestion["score"])
    top = max((float(s["score"]) for s in icd), default=score)
    rank = sum(1 for s in icd if float(s["score"]) > score)
    evidence = list(suggestion.get("evidence", []))
    texts = [str(e.get("text", "")) for e in evidence]
    parts = str(suggestion.get("rationale", "")).split("; ")
    source = _source(parts[0])
    sections = _sections_of(evidence, mentions)
    named = sorted({s for s in sections if s})
    ev_words = _words(" ".join(texts))
    title_words = _words(str(suggestion.get("title", "")))
    category = [s for s in icd if s is not suggestion and str(s["code"]).replace(".", "")[:3] == code[:3]]
    f: dict[str, float] = {
        "score": score,
        "score_gap_top": top - score,
        "rank_fraction": rank / max(1, len(icd)),
        "log_icd_suggestions": math.log1p(len(icd)),
        "log_evidence": math.log1p(len(evidence)),
        "log_distinct_evidence": math.log1p(len({t.lower() for t in texts})),
        "evidence_words": min(6, max((len(t.split()) for t in texts), default=0)) / 6,
        "title_overlap": len(ev_words & title_words) / len(ev_words) if ev_words else 0.0,
        "walk_depth": min(5, parts[0].count(", ")) / 5 if source == "index_walk" else 0.0,
        "rationale_sources": float(sum(1 for p in parts if _SOURCE_PREFIX.match(p))),
        "rules": float(sum(1 for p in parts if p.startswith("rule: "))),
        "no_section": float(not named),
        "note_has_sections": float(any(m.get("section") for m in mentions)),
        "code_length": (len(code) - 3) / 4,
        "same_category": math.log1p(len(category)),
        "same_category_better": float(any(float(s["score"]) > score for s in category)),
        "note_type_given": float(note_type is not None),
    }
    grouped: set[str] = set()
    for g, names in SECTION_GROUPS:
        f[f"section_{g}"] = float(bool(names.intersection(named)))
        grouped |= names
    f["section_other"] = float(any(n not in grouped for n in named))
    for s in (*SOURCES, "other"):
        f[f"source_{s}"] = float(source == s)
    rationale = str(suggestion.get("rationale", ""))
    for name, pattern in RULES:
        f[name] = float(bool(pattern.search(rationale)))
    for a in ASSERTIONS:
        f[f"assertion_{a}"] = float(suggestion.get("assertion") == a)
    flags = set(suggestion.get("flags", []))
    for fl in FLAGS:
        f[f"flag_{fl}"] = float(fl in flags)
    for c in CHAPTERS:
        f[f"chapter_{c}"] = float(code[:1] in c)
    for st in SETTINGS:
        f[f"setting_{st}"] = float(setting == st)
    return f


@dataclass(frozen=True)
class Reranker:
    """A logistic model over standardised features; ``threshold`` is its probability cut-off."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    means: tuple[float, ...]
    scales: tuple[float, ...]
    threshold: float

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reranker:
        names = tuple(data["features"])
        if names != tuple(feature_names()):
            raise ValueError("reranker artifact was trained on other features than this cac computes")
        model = cls(
            names,
            tuple(float(w) for w in data["weights"]),
            float(data["bias"]),
            tuple(float(m) for m in data["means"]),
            tuple(float(s) or 1.0 for s in data["scales"]),
            float(data["threshold"]),
        )
        if not len(model.weights) == len(model.means) == len(model.scales) == len(names):
            raise ValueError("reranker artifact: weights, means and scales must match the features")
        if not 0.0 < model.threshold < 1.0:
            raise ValueError("reranker artifact: threshold must lie in (0, 1)")
        return model

    @classmethod
    def load(cls, path: str | Path) -> Reranker:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def probability(self, feats: Mapping[str, float]) -> float:
        z = self.bias
        for name, w, mean, scale in zip(self.names, self.weights, self.means, self.scales, strict=True):
            z += w * (feats[name] - mean) / scale
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def to_score(self, probability: float, threshold: float) -> float:
        """Map a probability onto [0, 1] so that the model's threshold becomes ``threshold`` (monotone)."""
        t = self.threshold
        if probability < t:
            return threshold * probability / t
        return min(1.0, threshold + (1.0 - threshold) * (probability - t) / (1.0 - t))

    def rescore(
        self, result: dict[str, Any], setting: str = "outpatient", note_type: str | None = None
    ) -> dict[str, Any]:
        """Replace the ICD-10-CM scores of ``result`` (in place, also returned) and re-sort its suggestions.

        Features are all read before any score changes. An etiology the guidelines sequence before its
        manifestation ("rule: code first X before Y") keeps a score at least the manifestation's; a code a rule
        held for review stays at most ``HELD_SCORE``.
        """
        suggestions = result.get("suggestions", [])
        threshold = float(result.get("threshold", 0.5))
        # the codes a rule set aside are scored against the others and change none of their features
        # alternatives (``alternatives.py``) and runners-up (``runners_up.py``) keep their own score and enter no
        # feature either
        suggestions = [s for s in suggestions if not is_alternative(s) and not is_runner_up(s)]
        reported = {**result, "suggestions": [s for s in suggestions if not is_set_aside(s)]}
        new = {
            id(s): self.to_score(self.probability(features(s, reported, setting, note_type)), threshold)
            for s in suggestions
            if s.get("system") == ICD
        }
        for s in suggestions:
            if id(s) in new:
                s["score"] = round(new[id(s)], 4)
        by_code = {s["code"]: s for s in reported["suggestions"] if s.get("system") == ICD}
        for s in reported["suggestions"]:
            for first, then in _CODE_FIRST.findall(str(s.get("rationale", ""))):
                if first == s["code"] and then in by_code:
                    s["score"] = max(s["score"], by_code[then]["score"])
        cap_held(suggestions)  # a code a guideline rule held for review stays below the threshold
        for s in suggestions:
            if is_set_aside(s) and s.get("system") == ICD:  # and one it set aside ranks behind those
                s["score"] = round(float(s["score"]) * SET_ASIDE_FACTOR, 4)
        result.get("suggestions", []).sort(key=lambda s: (-float(s["score"]), s["system"], s["code"]))
        return result


@lru_cache(maxsize=1)
def bundled() -> Reranker | None:
    """The shipped model (``resources/reranker.json``), or None when there is none."""
    resource = files("cac.coding") / "resources" / "reranker.json"
    if not resource.is_file():
        return None
    return Reranker.from_dict(json.loads(resource.read_text(encoding="utf-8")))
