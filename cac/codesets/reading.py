"""Reading release files: folders, .gz/.zip members, encodings, with one-line errors."""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Callable
from pathlib import Path

from cac.codesets.errors import ImportFailedError


def pick_file(path: Path, accept: Callable[[str], bool], what: str) -> Path:
    """``path`` itself, or the one file inside the folder ``path`` whose lower-cased name ``accept``s."""
    if not path.exists():
        raise ImportFailedError(f"{path}: no such file or folder")
    if path.is_file():
        return path
    matches = sorted(p for p in path.rglob("*") if p.is_file() and accept(p.name.lower()))
    if not matches:
        raise ImportFailedError(f"{path}: no {what} file found in this folder")
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches[:5])
        raise ImportFailedError(f"{path}: several {what} files found ({names}); pass the file itself")
    return matches[0]


def read_bytes(path: Path) -> bytes:
    """The file's bytes, unpacking .gz and single-member .zip files."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailedError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        if raw[:2] == b"\x1f\x8b":
            return gzip.decompress(raw)
        if raw[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/")]
                if len(members) != 1:
                    raise ImportFailedError(f"{path}: zip holds {len(members)} files; unpack it and pass one")
                return zf.read(members[0])
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ImportFailedError(f"{path}: corrupt compressed file ({exc})") from exc
    return raw


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """Decode the file, with a one-line error naming the first bad byte."""
    raw = read_bytes(path)
    if b"\x00" in raw[:4096]:
        raise ImportFailedError(f"{path}: binary data or UTF-16 text; expected a text file in {encoding}")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFailedError(
            f"{path}: not valid {encoding} (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save it as UTF-8 or pass --encoding latin-1"
        ) from exc
    except LookupError as exc:
        raise ImportFailedError(f"unknown encoding {encoding!r}") from exc
    return text.lstrip("\ufeff")
