"""Shared by the encoder recipe and its evaluation: (text, code) pairs and the sentence-vector pooling.

Pairs come from two places:

- the ICD-10-CM code set in the local store: inclusion terms and Alphabetic Index terms (main index and the
  Neoplasm table) of each code, paired with the code's title;
- CodiEsp-X diagnosis annotations. CodiEsp annotates the Spanish text, but the engine reads the organisers'
  English machine translation (``text_files_en``, one sentence a line, no offsets), so each Spanish span is
  located in the English text: the span's relative position picks the English sentence, and the n-gram of the
  nearby sentences with the highest character-trigram Dice similarity to the span (after a small
  Spanish-to-English word list for head nouns such as "dolor" -> "pain") is taken when that similarity is at
  least ``MIN_ALIGN``. Spans with no such match are dropped (counted in the report).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cac.codesets import ICD10CM, CodeSetStore

MIN_ALIGN = 0.5

# Frequent Spanish words in CodiEsp spans whose English equivalents share no letters with them.
ES_EN = {
    "dolor": "pain",
    "dolores": "pain",
    "perdida": "loss",
    "peso": "weight",
    "sangrado": "bleeding",
    "hemorragia": "hemorrhage",
    "insuficiencia": "failure insufficiency",
    "fiebre": "fever",
    "tos": "cough",
    "derrame": "effusion",
    "aumento": "increased elevated",
    "elevacion": "elevated",
    "dificultad": "difficulty",
    "enfermedad": "disease",
    "lesion": "lesion",
    "lesiones": "lesions",
    "fractura": "fracture",
    "trastorno": "disorder",
    "antecedentes": "history",
    "antecedente": "history",
    "parada": "arrest",
    "cardiaca": "heart cardiac",
    "higado": "liver",
    "rinon": "kidney",
    "pulmon": "lung",
    "pulmonar": "pulmonary lung",
    "hueso": "bone",
    "piel": "skin",
    "cabeza": "head",
    "cuello": "neck",
    "pierna": "leg",
    "brazo": "arm",
    "mano": "hand",
    "pie": "foot",
    "ojo": "eye",
    "oido": "ear",
    "sangre": "blood",
    "cancer": "cancer",
    "debilidad": "weakness",
    "cansancio": "fatigue tiredness",
    "vomitos": "vomiting",
    "nauseas": "nausea",
    "mareo": "dizziness",
    "embarazo": "pregnancy",
    "quiste": "cyst",
    "herida": "wound",
    "quemadura": "burn",
    "ingreso": "admission",
    "derecho": "right",
    "derecha": "right",
    "izquierdo": "left",
    "izquierda": "left",
    "cronica": "chronic",
    "cronico": "chronic",
    "aguda": "acute",
    "agudo": "acute",
    "leve": "mild",
    "grave": "severe",
    "ganglio": "lymph node",
    "ganglios": "lymph nodes",
    "tumoracion": "mass tumor",
    "deposiciones": "stools",
    "hinchazon": "swelling",
    "picor": "itching",
    "estrenimiento": "constipation",
}

_CONNECTORS = {"with", "without", "in", "due", "of", "from", "following", "complicating", "affecting", "during", "by"}


@dataclass(frozen=True)
class Pair:
    text: str
    code: str
    title: str
    source: str  # inclusion | index | neoplasm | codiesp


def fold(text: str) -> str:
    """Lower case without accents."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def _grams(text: str) -> set[str]:
    s = " " + re.sub(r"[^a-z0-9]+", " ", fold(text)).strip() + " "
    return {s[i : i + 3] for i in range(len(s) - 2)}


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _head(term: str) -> str:
    """Main term without its listed variants ("Occlusion, occluded" -> "Occlusion")."""
    return term.split(",")[0].strip()


def index_phrase(path: str, column: str | None = None, table: str = "main") -> str:
    """A plain phrase for an index path: modifiers before the main term, connector phrases after it.

    "Occlusion, occluded > artery > cerebellar" -> "cerebellar artery Occlusion";
    "Diabetes, diabetic > type 2 > with > chronic kidney disease" -> "type 2 Diabetes with chronic kidney disease".
    """
    parts = [re.sub(r"\s+", " ", p).strip() for p in path.split(" > ") if p.strip()]
    if not parts:
        return ""
    if table == "neoplasm":
        parts = parts[1:]  # "Neoplasm, neoplastic" itself; the column says what kind
        if not parts:
            return ""
    head, mods = _head(parts[0]), parts[1:]
    cut = next((i for i, m in enumerate(mods) if m.split()[0].lower() in _CONNECTORS), len(mods))
    words = [*reversed(mods[:cut]), head, *mods[cut:]]
    if table == "neoplasm" and column:
        words = [column.lower(), *words, "neoplasm"]
    return " ".join(w for w in words if w)


def code_titles(store: CodeSetStore) -> dict[str, str]:
    return {code: title for code, title, _ in store.codes(ICD10CM)}


def codeset_pairs(store: CodeSetStore, titles: dict[str, str]) -> Iterator[Pair]:
    """Inclusion terms and Alphabetic Index terms of ICD-10-CM codes, each with its code's title."""
    for text, code, source in store.terms(ICD10CM):
        if source == "inclusion" and code in titles:
            yield Pair(text, code, titles[code], "inclusion")
    for table in ("main", "neoplasm"):
        for row in store.index_rows(table):
            if row.code and row.code in titles:
                phrase = index_phrase(row.path, row.column, table)
                if phrase:
                    yield Pair(phrase, row.code, titles[row.code], "index" if table == "main" else "neoplasm")


def _english_sentences(path: Path) -> tuple[list[str], list[int]]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    ends, total = [], 0
    for line in lines:
        total += len(line) + 1
        ends.append(total)
    return lines, ends


def align_span(span: str, rel: float, sentences: Sequence[str], ends: Sequence[int]) -> tuple[float, str]:
    """(similarity, English n-gram) best matching the Spanish ``span`` near relative position ``rel``."""
    if not sentences:
        return 0.0, ""
    target = rel * ends[-1]
    i = next((k for k, end in enumerate(ends) if end >= target), len(ends) - 1)
    words_es = fold(span).split()
    glossed = " ".join(ES_EN.get(re.sub(r"[^a-z0-9]", "", w), w) for w in words_es)
    grams = _grams(glossed)
    n_words = len(glossed.split())
    best = (0.0, "")
    for k in range(max(0, i - 2), min(len(sentences), i + 3)):
        words = sentences[k].split()
        for n in range(max(1, n_words - 2), n_words + 3):
            for a in range(0, len(words) - n + 1):
                cand = " ".join(words[a : a + n]).strip(".,;:()[]\"'")
                if sum(c.isalpha() for c in cand) < 3:
                    continue
                score = _dice(grams, _grams(cand))
                if score > best[0]:
                    best = (score, cand)
    return best


def codiesp_pairs(
    data_dir: Path, split: str, titles: dict[str, str], stats: dict[str, int] | None = None
) -> Iterator[tuple[str, Pair]]:
    """(document id, pair) for each CodiEsp-X diagnosis span located in the English text of ``split``."""
    from cac.codesets import normalise_code

    if split == "test":
        raise ValueError("the CodiEsp test split is for final reporting only; use train or dev")
    root = data_dir / split
    stats = stats if stats is not None else {}
    docs: dict[str, tuple[int, list[str], list[int]]] = {}
    with (root / f"{split}X.tsv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 5 or row[1] != "DIAGNOSTICO":
                continue
            doc, raw, span, position = row[0], row[2], row[3], row[4]
            stats["spans"] = stats.get("spans", 0) + 1
            try:
                code = normalise_code(ICD10CM, raw)
            except Exception:  # noqa: BLE001 - malformed gold code
                code = ""
            if code not in titles:
                stats["code_not_in_release"] = stats.get("code_not_in_release", 0) + 1
                continue
            if doc not in docs:
                es = (root / "text_files" / f"{doc}.txt").read_text(encoding="utf-8")
                docs[doc] = (len(es), *_english_sentences(root / "text_files_en" / f"{doc}.txt"))
            length, sentences, ends = docs[doc]
            start = int(re.split(r"[ ;]", position.strip())[0])
            score, english = align_span(span, start / max(1, length), sentences, ends)
            if score < MIN_ALIGN or not english:
                stats["not_aligned"] = stats.get("not_aligned", 0) + 1
                continue
            stats["aligned"] = stats.get("aligned", 0) + 1
            yield doc, Pair(english, code, titles[code], "codiesp")


def dedupe(pairs: Iterator[Pair] | Sequence[Pair]) -> list[Pair]:
    """First pair of each (folded text, code); pairs whose text is the title itself are dropped."""
    seen: set[tuple[str, str]] = set()
    out = []
    for p in pairs:
        key = (" ".join(fold(p.text).split()), p.code)
        if key in seen or key[0] == " ".join(fold(p.title).split()):
            continue
        seen.add(key)
        out.append(p)
    return out


def mean_pool(hidden: Any, mask: Any) -> Any:
    """Mean of token vectors under the attention mask, L2-normalised (as cac.coding.encoder does)."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=1)
