"""Documents from the batch input kinds: JSONL, CSV, a folder of .txt files, FHIR NDJSON DocumentReference."""

from __future__ import annotations

import base64
import binascii
import csv
import gzip
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

TEXT_COLUMNS = ("text", "transcription", "note_text", "note")
ID_COLUMNS = ("id", "note_id", "document_id", "doc_id")


@dataclass(frozen=True)
class Document:
    """One note to code; ``setting``/``note_type`` are None where the input does not say (the run's default applies)."""

    id: str
    text: str
    setting: str | None = None
    note_type: str | None = None


@dataclass(frozen=True)
class ReadError:
    """An input record that could not become a Document (written to the errors file; the batch goes on)."""

    id: str
    reason: str


Item = Document | ReadError


def input_kind(path: Path) -> str:
    """``folder``, ``csv``, ``fhir`` or ``jsonl`` (FHIR NDJSON is told apart by its first record)."""
    if path.is_dir():
        return "folder"
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "fhir" if _first_record_is_fhir(path) else "jsonl"
    raise ValueError(f"{path}: unknown input kind (expected .jsonl, .ndjson, .csv or a folder of .txt files)")


def read_documents(path: str | Path, text_column: str | None = None, id_column: str | None = None) -> Iterator[Item]:
    """Documents (or read errors) from ``path``, in input order; a repeated id is a read error."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or folder")
    kind = input_kind(p)
    if kind == "folder":
        items = _read_folder(p)
    elif kind == "csv":
        items = _read_csv(p, text_column, id_column)
    elif kind == "fhir":
        items = _read_fhir(p)
    else:
        items = _read_jsonl(p, text_column, id_column)
    seen: set[str] = set()
    for item in items:
        if isinstance(item, Document):
            if item.id in seen:
                yield ReadError(item.id, "duplicate id in the input (first occurrence kept)")
                continue
            seen.add(item.id)
        yield item


def _open_text(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open("r", encoding="utf-8-sig", newline="")


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) per non-blank line; a value of ``ValueError`` marks a line that is not JSON."""
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line)
            except ValueError as exc:
                yield lineno, ValueError(f"line {lineno}: not JSON ({exc})")


def _first_record_is_fhir(path: Path) -> bool:
    for _, value in _json_lines(path):
        return isinstance(value, dict) and "resourceType" in value
    return False


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _read_jsonl(path: Path, text_column: str | None, id_column: str | None) -> Iterator[Item]:
    """Our annotation format or ``{"id", "text", "setting", "note_type"}``: extra keys are ignored."""
    text_key = text_column or "text"
    id_key = id_column or "id"
    for lineno, rec in _json_lines(path):
        where = f"line {lineno}"
        if isinstance(rec, ValueError):
            yield ReadError(where, str(rec))
        elif not isinstance(rec, dict):
            yield ReadError(where, f"{where}: expected a JSON object")
        elif rec.get(id_key) in (None, ""):
            yield ReadError(where, f"{where}: no {id_key!r}")
        elif not isinstance(rec.get(text_key), str):
            yield ReadError(str(rec[id_key]), f"{where}: {text_key!r} is missing or not a string")
        else:
            yield Document(
                str(rec[id_key]), rec[text_key], _str_or_none(rec.get("setting")), _str_or_none(rec.get("note_type"))
            )


def _pick(columns: list[str], explicit: str | None, choices: tuple[str, ...], what: str) -> str | None:
    if explicit:
        if explicit not in columns:
            raise ValueError(f"no {what} column {explicit!r}; columns: {', '.join(columns)}")
        return explicit
    lowered = {c.lower(): c for c in columns}
    return next((lowered[c] for c in choices if c in lowered), None)


def _read_csv(path: Path, text_column: str | None, id_column: str | None) -> Iterator[Item]:
    """A CSV (or TSV) with a text column; ids from an id column, else ``row-N`` (N from 1, header excluded)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    delimiter = "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    with _open_text(path) as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        columns = list(reader.fieldnames or [])
        text_key = _pick(columns, text_column, TEXT_COLUMNS, "text")
        if text_key is None:
            raise ValueError(f"{path}: no text column (looked for {', '.join(TEXT_COLUMNS)}; use --text-column)")
        id_key = _pick(columns, id_column, ID_COLUMNS, "id")
        for n, row in enumerate(reader, start=1):
            doc_id = (row.get(id_key) or "").strip() if id_key else f"row-{n}"
            if not doc_id:
                yield ReadError(f"row-{n}", f"row {n}: empty {id_key!r}")
                continue
            text = row.get(text_key)
            if text is None:
                yield ReadError(doc_id, f"row {n}: short row, no {text_key!r} value")
                continue
            yield Document(doc_id, text, _str_or_none(row.get("setting")), _str_or_none(row.get("note_type")))


def _read_folder(path: Path) -> Iterator[Item]:
    """Every ``*.txt`` below the folder, sorted; the id is the path relative to the folder without ``.txt``."""
    for file in sorted(path.rglob("*.txt")):
        doc_id = file.relative_to(path).with_suffix("").as_posix()
        try:
            text = file.read_bytes().decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            yield ReadError(doc_id, f"{file}: not UTF-8 text (offset {exc.start})")
            continue
        except OSError as exc:
            yield ReadError(doc_id, f"{file}: {exc.strerror or exc}")
            continue
        yield Document(doc_id, text)


@lru_cache(maxsize=1)
def loinc_note_types() -> dict[str, str]:
    """LOINC document type code -> cac note type (resources/loinc_note_types.tsv)."""
    out: dict[str, str] = {}
    text = files("cac.batch").joinpath("resources/loinc_note_types.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            loinc, note_type = line.split("\t")[:2]
            out[loinc.strip()] = note_type.strip()
    return out


def _fhir_note_type(resource: dict[str, Any]) -> str | None:
    for coding in (resource.get("type") or {}).get("coding") or []:
        if "loinc" in str(coding.get("system", "")).lower() and coding.get("code") in loinc_note_types():
            return loinc_note_types()[coding["code"]]
    return None


def _fhir_text(resource: dict[str, Any]) -> str:
    """The first plain-text inline attachment; raises ValueError when there is none."""
    kinds = []
    for content in resource.get("content") or []:
        attachment = content.get("attachment") or {}
        kind = str(attachment.get("contentType") or "text/plain")
        kinds.append(kind)
        if not kind.lower().startswith("text/plain") or attachment.get("data") is None:
            continue
        try:
            return base64.b64decode(attachment["data"], validate=True).decode("utf-8").lstrip("\ufeff")
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"attachment data is not base64 UTF-8 text ({exc})") from exc
    found = ", ".join(kinds) or "no content"
    raise ValueError(f"no inline text/plain attachment (found: {found}; URL attachments are not fetched)")


def _read_fhir(path: Path) -> Iterator[Item]:
    """FHIR R4/R5 NDJSON of DocumentReference: id from ``id``, text from an inline text/plain attachment."""
    for lineno, res in _json_lines(path):
        where = f"line {lineno}"
        if isinstance(res, ValueError):
            yield ReadError(where, str(res))
            continue
        if not isinstance(res, dict) or res.get("resourceType") != "DocumentReference":
            kind = res.get("resourceType") if isinstance(res, dict) else type(res).__name__
            yield ReadError(where, f"{where}: not a DocumentReference ({kind})")
            continue
        doc_id = str(res.get("id") or where)
        if res.get("status") == "entered-in-error":
            yield ReadError(doc_id, f"{where}: DocumentReference status is entered-in-error")
            continue
        try:
            text = _fhir_text(res)
        except ValueError as exc:
            yield ReadError(doc_id, f"{where}: {exc}")
            continue
        yield Document(doc_id, text, None, _fhir_note_type(res))
