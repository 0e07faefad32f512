"""Build the team annotated set: every ``annotations/src/*.yaml`` -> ``annotations/dev.jsonl`` and ``test.jsonl``.

Run: ``/tmp/venv/bin/python annotations/build.py`` (``--check`` validates without writing,
``--no-code-check`` skips the code-set look-ups). The output format is section 1 of
``/work/shared/interfaces.md``; offsets are computed from the quotes in the sources.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from cac.codesets import SYSTEMS
from cac.coding.types import ASSERTIONS, NOTE_TYPES, SETTINGS  # the vocabularies of interfaces.md

HERE = Path(__file__).resolve().parent
SRC_DIR = HERE / "src"

SPLITS = ("dev", "test")
MENTION_TYPES = ("problem", "procedure")
ID_RE = re.compile(r"^(dev|test)-\d{3}$")
CODE_FORMATS = {
    "ICD-10-CM": re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"),
    "ICD-10-PCS": re.compile(r"^[0-9A-HJ-NP-Z]{7}$|^[0-9A-HJ-NP-Z]{4}$"),
    "CPT": re.compile(r"^[0-9]{4}[0-9FTU]$"),
    "HCPCS": re.compile(r"^[A-V][0-9]{4}$"),
}
DOC_KEYS = {"id", "setting", "note_type", "text", "codes", "mentions"}
CODE_KEYS = {"system", "code", "evidence"}
MENTION_KEYS = {"quote", "type", "assertion", "occurrence"}

# system -> (code -> problem message or None)
CodeChecker = Callable[[str, str], str | None]


class BuildError(Exception):
    """The sources failed validation; ``errors`` lists one line per problem (file, id, field)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("annotation sources failed validation:\n" + "\n".join(f"  {e}" for e in errors))


def find_occurrence(text: str, quote: str, occurrence: int = 1) -> int | None:
    """Start offset of the ``occurrence``-th (1-based) exact occurrence of ``quote`` in ``text``."""
    start = -1
    for _ in range(occurrence):
        start = text.find(quote, start + 1)
        if start < 0:
            return None
    return start


def _span(text: str, item: Any, where: str, errors: list[str]) -> list[int] | None:
    """Resolve a quote item (a string or ``{quote, occurrence}``) to ``[start, end]``."""
    if isinstance(item, str):
        quote, occurrence = item, 1
    elif isinstance(item, dict) and isinstance(item.get("quote"), str):
        quote, occurrence = item["quote"], item.get("occurrence", 1)
        extra = set(item) - {"quote", "occurrence"}
        if extra:
            errors.append(f"{where}: unknown keys {sorted(extra)}")
    else:
        errors.append(f"{where}: expected a quote string or {{quote, occurrence}}, got {item!r}")
        return None
    if not quote:
        errors.append(f"{where}: empty quote")
        return None
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1:
        errors.append(f"{where}: occurrence must be a positive integer, got {occurrence!r}")
        return None
    start = find_occurrence(text, quote, occurrence)
    if start is None:
        found = text.count(quote)
        errors.append(f"{where}: quote {quote!r} occurrence {occurrence} not found in text ({found} found)")
        return None
    return [start, start + len(quote)]


def _convert(doc: Any, index: int, fname: str, errors: list[str], check_code: CodeChecker | None) -> dict | None:
    """Validate one source document and turn it into the JSONL shape."""
    if not isinstance(doc, dict):
        errors.append(f"{fname}: item {index}: expected a mapping, got {type(doc).__name__}")
        return None
    doc_id = doc.get("id")
    label = f"{fname}: id {doc_id}" if doc_id else f"{fname}: item {index} (no id)"
    if not isinstance(doc_id, str) or not ID_RE.match(doc_id):
        errors.append(f"{label}: field id: must match dev-NNN or test-NNN, got {doc_id!r}")
    extra = set(doc) - DOC_KEYS
    if extra:
        errors.append(f"{label}: unknown fields {sorted(extra)}")
    setting = doc.get("setting")
    if setting not in SETTINGS:
        errors.append(f"{label}: field setting: unknown value {setting!r} (expected one of {', '.join(SETTINGS)})")
    note_type = doc.get("note_type")
    if note_type not in NOTE_TYPES:
        errors.append(
            f"{label}: field note_type: unknown value {note_type!r} (expected one of {', '.join(NOTE_TYPES)})"
        )
    text = doc.get("text")
    if not isinstance(text, str) or not text.strip():
        errors.append(f"{label}: field text: missing or empty")
        return None

    codes_out: list[dict] = []
    seen_codes: set[tuple[str, str]] = set()
    codes = doc.get("codes")
    if not isinstance(codes, list) or not codes:
        errors.append(f"{label}: field codes: must be a non-empty list")
        codes = []
    for ci, entry in enumerate(codes):
        where = f"{label}: field codes[{ci}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: expected a mapping")
            continue
        if set(entry) - CODE_KEYS:
            errors.append(f"{where}: unknown keys {sorted(set(entry) - CODE_KEYS)}")
        system, code = entry.get("system"), entry.get("code")
        where = f"{label}: field codes[{ci}] ({system} {code})"
        if system not in SYSTEMS:
            errors.append(f"{where}.system: unknown system {system!r} (expected one of {', '.join(SYSTEMS)})")
            continue
        code = str(code) if isinstance(code, int) else code
        if not isinstance(code, str) or not CODE_FORMATS[system].match(code):
            errors.append(f"{where}.code: malformed {system} code {code!r}")
            continue
        if (system, code) in seen_codes:
            errors.append(f"{where}.code: duplicate code")
        seen_codes.add((system, code))
        if check_code is not None:
            problem = check_code(system, code)
            if problem:
                errors.append(f"{where}.code: {problem}")
        evidence = entry.get("evidence")
        if not isinstance(evidence, list) or not evidence:
            errors.append(f"{where}.evidence: must be a non-empty list of quotes")
            continue
        spans = [_span(text, item, f"{where}.evidence[{ei}]", errors) for ei, item in enumerate(evidence)]
        codes_out.append({"system": system, "code": code, "evidence": [s for s in spans if s is not None]})

    mentions_out: list[dict] = []
    mentions = doc.get("mentions")
    if not isinstance(mentions, list) or not mentions:
        errors.append(f"{label}: field mentions: must be a non-empty list")
        mentions = []
    seen_spans: set[tuple[int, int]] = set()
    for mi, m in enumerate(mentions):
        where = f"{label}: field mentions[{mi}]"
        if not isinstance(m, dict):
            errors.append(f"{where}: expected a mapping")
            continue
        if set(m) - MENTION_KEYS:
            errors.append(f"{where}: unknown keys {sorted(set(m) - MENTION_KEYS)}")
        where = f"{where} ({m.get('quote')!r})"
        if m.get("type") not in MENTION_TYPES:
            errors.append(f"{where}.type: unknown value {m.get('type')!r} (expected problem or procedure)")
        if m.get("assertion") not in ASSERTIONS:
            errors.append(
                f"{where}.assertion: unknown value {m.get('assertion')!r} (expected one of {', '.join(ASSERTIONS)})"
            )
        span = _span(text, {"quote": m.get("quote"), "occurrence": m.get("occurrence", 1)}, f"{where}.quote", errors)
        if span is None:
            continue
        if (span[0], span[1]) in seen_spans:
            errors.append(f"{where}.quote: the same span is labelled twice")
        seen_spans.add((span[0], span[1]))
        mentions_out.append(
            {
                "start": span[0],
                "end": span[1],
                "text": text[span[0] : span[1]],
                "type": m.get("type"),
                "assertion": m.get("assertion"),
            }
        )
    mentions_out.sort(key=lambda x: (x["start"], x["end"]))
    return {
        "id": doc_id,
        "setting": setting,
        "note_type": note_type,
        "text": text,
        "codes": codes_out,
        "mentions": mentions_out,
    }


# Oldest release each existence check trusts: the releases the project imports from the public files.
# An older built-in release (e.g. the FY2024 PCS list) would reject newer valid codes, so it is skipped.
MIN_RELEASE = {"ICD-10-CM": "2026", "ICD-10-PCS": "2026", "HCPCS": "2025"}


def _release_ok(release: str | None, system: str) -> bool:
    """Whether ``release`` is recent enough (and real) for existence checks in ``system``."""
    return bool(release) and str(release)[:4].isdigit() and str(release)[:4] >= MIN_RELEASE[system]


def default_code_checker(store: Any = None) -> CodeChecker | None:
    """Check codes against ``cac.codesets`` when its store opens, else ICD-10-CM via ``simple_icd_10_cm``.

    ``store`` defaults to ``open_store()``. ICD-10-CM: exists and billable. ICD-10-PCS and HCPCS: exist,
    checked only when the store's active release is the imported one (otherwise skipped with a printed
    warning). CPT: format only (no complete public list; the built-in CPT list is a subset).
    """
    try:
        from cac.codesets import open_store

        if store is None:
            store = open_store(quiet=True)
    except Exception as exc:  # the store is optional for the builder
        print(f"warning: cac.codesets store unavailable ({exc.__class__.__name__}: {exc})", file=sys.stderr)
        store = None

    active: dict[str, bool] = {}
    releases: dict[str, str | None] = {}
    for system in MIN_RELEASE:
        try:
            releases[system] = store.active_release(system) if store is not None else None
        except Exception:
            releases[system] = None
        active[system] = _release_ok(releases[system], system)
    cm = None
    if not active["ICD-10-CM"]:
        try:
            import simple_icd_10_cm as cm  # type: ignore[no-redef]
        except ImportError:
            cm = None
    for system in ("ICD-10-PCS", "HCPCS"):
        if not active[system]:
            print(
                f"warning: the code-set store's {system} release is {releases[system]!r}, not the imported "
                f"release (>= {MIN_RELEASE[system]}): {system} existence checks skipped (format still checked)",
                file=sys.stderr,
            )
    if not active["ICD-10-CM"] and cm is None:
        print("warning: no ICD-10-CM source available: billable checks skipped", file=sys.stderr)

    def check(system: str, code: str) -> str | None:
        if system == "ICD-10-CM":
            if active[system] and store is not None:
                if not store.is_valid(system, code):
                    return f"not an ICD-10-CM code in the active release ({releases[system]})"
                if not store.is_billable(system, code):
                    return "ICD-10-CM code is not billable (it has children)"
                return None
            if cm is not None:
                if not cm.is_valid_item(code):
                    return "not an ICD-10-CM code (simple_icd_10_cm)"
                if not cm.is_leaf(code):
                    return "ICD-10-CM code is not billable (simple_icd_10_cm: not a leaf)"
            return None
        if system in active and active[system] and store is not None and not store.is_valid(system, code):
            return f"not a {system} code in the active release ({releases[system]})"
        return None

    return check


def load_sources(src_dir: Path) -> list[tuple[str, Any]]:
    """(file name, parsed YAML) for every ``*.yaml`` in ``src_dir``, sorted by name."""
    out = []
    for path in sorted(Path(src_dir).glob("*.yaml")):
        try:
            out.append((path.name, yaml.safe_load(path.read_text(encoding="utf-8"))))
        except yaml.YAMLError as exc:
            raise BuildError([f"{path.name}: YAML error: {exc}"]) from exc
    return out


def build(src_dir: Path | str = SRC_DIR, check_codes: bool | CodeChecker = True) -> dict[str, list[dict]]:
    """Validate every source file in ``src_dir`` and return ``{"dev": [...], "test": [...]}`` sorted by id.

    Raises ``BuildError`` listing every problem, each naming the file, the document id and the field.
    """
    if callable(check_codes):
        checker: CodeChecker | None = check_codes
    else:
        checker = default_code_checker() if check_codes else None
    errors: list[str] = []
    splits: dict[str, list[dict]] = {s: [] for s in SPLITS}
    seen: dict[str, str] = {}
    for fname, data in load_sources(Path(src_dir)):
        if data is None:
            continue
        if not isinstance(data, list):
            errors.append(f"{fname}: top level must be a YAML list of documents")
            continue
        for index, raw in enumerate(data):
            doc = _convert(raw, index, fname, errors, checker)
            if doc is None or not isinstance(doc["id"], str) or not ID_RE.match(doc["id"]):
                continue
            if doc["id"] in seen:
                errors.append(f"{fname}: id {doc['id']}: field id: duplicate (also in {seen[doc['id']]})")
                continue
            seen[doc["id"]] = fname
            splits[doc["id"].split("-")[0]].append(doc)
    if errors:
        raise BuildError(errors)
    for docs in splits.values():
        docs.sort(key=lambda d: d["id"])
    return splits


def dumps(docs: Iterable[dict]) -> str:
    """JSONL text, one document per line."""
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)


def stats(splits: dict[str, list[dict]]) -> str:
    """Markdown tables of counts per split: settings, note types, assertion labels, code systems."""
    from collections import Counter

    def table(title: str, keys: Iterable[str], count: Callable[[list[dict]], Counter]) -> list[str]:
        counts = {split: count(docs) for split, docs in splits.items()}
        rows = [f"| {title} | " + " | ".join(splits) + " |", "|---|" + "---|" * len(splits)]
        for key in keys:
            rows.append(f"| {key} | " + " | ".join(str(counts[s].get(key, 0)) for s in splits) + " |")
        rows.append("| total | " + " | ".join(str(sum(counts[s].values())) for s in splits) + " |")
        return rows + [""]

    lines = ["Documents: " + ", ".join(f"{s} {len(d)}" for s, d in splits.items()), ""]
    lines += table("setting", SETTINGS, lambda docs: Counter(d["setting"] for d in docs))
    lines += table("note type", NOTE_TYPES, lambda docs: Counter(d["note_type"] for d in docs))
    lines += table(
        "mention label", ASSERTIONS, lambda docs: Counter(m["assertion"] for d in docs for m in d["mentions"])
    )
    lines += table("mention type", MENTION_TYPES, lambda docs: Counter(m["type"] for d in docs for m in d["mentions"]))
    lines += table("code system", SYSTEMS, lambda docs: Counter(c["system"] for d in docs for c in d["codes"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=SRC_DIR, help="folder of *.yaml sources")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for dev.jsonl and test.jsonl")
    parser.add_argument("--check", action="store_true", help="validate only, write nothing")
    parser.add_argument("--no-code-check", action="store_true", help="skip code-set look-ups")
    parser.add_argument("--stats", action="store_true", help="print count tables (markdown) after building")
    args = parser.parse_args(argv)
    try:
        splits = build(args.src, check_codes=not args.no_code_check)
    except BuildError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    for split, docs in splits.items():
        n_codes = sum(len(d["codes"]) for d in docs)
        n_mentions = sum(len(d["mentions"]) for d in docs)
        target = args.out / f"{split}.jsonl"
        if not args.check:
            target.write_text(dumps(docs), encoding="utf-8")
        verb = "checked" if args.check else f"wrote {target}"
        print(f"{verb}: {len(docs)} documents, {n_codes} codes, {n_mentions} mentions")
    if args.stats:
        print(stats(splits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
