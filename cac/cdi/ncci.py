"""NCCI edits from the CMS files the user supplies: procedure-to-procedure (PTP) pairs and medically
unlikely edits (MUE). Nothing is shipped; ``import_ptp``/``import_mue`` read the CMS text files (tab or comma
separated, with a header row, possibly after a few lines of preamble) into ``$CAC_HOME/ncci.sqlite``.

PTP columns: column 1 code, column 2 code, effective date, deletion date (``*`` or blank: none), modifier
indicator (0 never billable together, 1 allowed with an NCCI modifier, 9 not applicable).
MUE columns: code, maximum units of service.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from cac import config
from cac.cdi.claim import ClaimCode
from cac.cdi.types import Edit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ptp (col1 TEXT NOT NULL, col2 TEXT NOT NULL, effective TEXT NOT NULL,
    deletion TEXT, modifier TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ptp_pair ON ptp (col1, col2);
CREATE TABLE IF NOT EXISTS mue (code TEXT PRIMARY KEY, max_units INTEGER NOT NULL, source TEXT NOT NULL);
"""
NCCI_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
_PTP_CODE_SYSTEMS = ("CPT", "HCPCS")


class NcciFormatError(ValueError):
    """A PTP or MUE file whose header the importer does not recognise."""


def default_path() -> Path:
    return config.cac_home() / "ncci.sqlite"


def _rows(path: Path, is_header: object) -> Iterator[tuple[list[str], list[str]]]:
    """(header, row) pairs of a tab or comma separated file, after the first line ``is_header`` accepts."""
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    lines = text.splitlines()
    for n, line in enumerate(lines):
        delimiter = "\t" if "\t" in line else ","
        cells = [c.strip().lower() for c in next(csv.reader([line], delimiter=delimiter), [])]
        if callable(is_header) and is_header(cells):
            reader = csv.reader(io.StringIO("\n".join(lines[n + 1 :])), delimiter=delimiter)
            for row in reader:
                if any(c.strip() for c in row):
                    yield cells, [c.strip() for c in row]
            return
    raise NcciFormatError(f"{path}: no header row found")


def _col(header: list[str], *needles: str) -> int:
    for i, cell in enumerate(header):
        flat = cell.replace(" ", "").replace("_", "")
        if any(n in flat for n in needles):
            return i
    raise NcciFormatError(f"no column matching {needles} in header {header}")


def _date(value: str) -> str | None:
    """``YYYYMMDD`` (or ISO) as ISO; ``*``/blank as None."""
    value = value.strip()
    if not value or value.startswith("*"):
        return None
    digits = value.replace("-", "")
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    raise NcciFormatError(f"bad date {value!r}")


class NcciTables:
    """The imported PTP and MUE tables, and the edits they imply for a code set."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False)
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def counts(self) -> dict[str, int]:
        return {t: self._conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("ptp", "mue")}

    def import_ptp(self, path: Path, replace: bool = False) -> int:
        """Load a CMS PTP file; returns the number of pairs read. ``replace`` clears earlier imports first."""
        rows = []
        for header, row in _rows(path, lambda h: any("column1" in c.replace(" ", "") for c in h)):
            c1, c2 = _col(header, "column1", "col1"), _col(header, "column2", "col2")
            eff, dele, mod = _col(header, "effective"), _col(header, "deletion"), _col(header, "modifier")
            if len(row) <= max(c1, c2, eff, dele, mod) or not row[c1] or not row[c2]:
                continue
            rows.append(
                (
                    row[c1].upper(),
                    row[c2].upper(),
                    _date(row[eff]) or "0000-00-00",
                    _date(row[dele]),
                    row[mod][:1],
                    str(path),
                )
            )
        with self._conn:
            if replace:
                self._conn.execute("DELETE FROM ptp")
            self._conn.executemany("INSERT INTO ptp VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def import_mue(self, path: Path, replace: bool = False) -> int:
        """Load a CMS MUE file (code, MUE value); returns the number of codes read."""
        rows = []
        for header, row in _rows(path, lambda h: any("mue" in c and "value" in c for c in h)):
            code, value = _col(header, "code"), _col(header, "muevalue", "value")
            if len(row) <= max(code, value) or not row[code] or not row[value].isdigit():
                continue
            rows.append((row[code].upper(), int(row[value]), str(path)))
        with self._conn:
            if replace:
                self._conn.execute("DELETE FROM mue")
            self._conn.executemany("INSERT OR REPLACE INTO mue VALUES (?, ?, ?)", rows)
        return len(rows)

    def ptp_indicator(self, col1: str, col2: str, on: dt.date | None = None) -> str | None:
        """The modifier indicator of the pair in force on ``on`` (today by default), or None when there is none."""
        day = (on or dt.date.today()).isoformat()
        row = self._conn.execute(
            "SELECT modifier FROM ptp WHERE col1=? AND col2=? AND effective<=? AND (deletion IS NULL OR deletion>=?) "
            "ORDER BY effective DESC LIMIT 1",
            (col1, col2, day, day),
        ).fetchone()
        return row[0] if row else None

    def max_units(self, code: str) -> int | None:
        row = self._conn.execute("SELECT max_units FROM mue WHERE code=?", (code,)).fetchone()
        return int(row[0]) if row else None

    def edits(self, items: list[ClaimCode], on: dt.date | None = None) -> list[Edit]:
        procs = [i for i in items if i.system in _PTP_CODE_SYSTEMS]
        out: list[Edit] = []
        for a in procs:
            for b in procs:
                if a.code == b.code:
                    continue
                indicator = self.ptp_indicator(a.code, b.code, on)
                if indicator == "0":
                    msg = (
                        f"NCCI PTP: {b.code} is a column 2 code of {a.code} "
                        "and is not billed with it (no modifier allowed)"
                    )
                    out.append(Edit("ncci_ptp", (a.code, b.code), msg, "error"))
                elif indicator == "1" and not NCCI_MODIFIERS.intersection(b.modifiers):
                    msg = (
                        f"NCCI PTP: {b.code} is bundled into {a.code} "
                        "unless an NCCI modifier (59, XE, XS, XP, XU) applies"
                    )
                    out.append(Edit("ncci_ptp", (a.code, b.code), msg, "warning"))
        units: dict[str, int] = {}
        for i in procs:
            units[i.code] = units.get(i.code, 0) + i.units
        for code, n in units.items():
            limit = self.max_units(code)
            if limit is not None and n > limit:
                out.append(
                    Edit("ncci_mue", (code,), f"NCCI MUE: {n} units of {code} exceed the maximum of {limit}", "error")
                )
        return out


def open_ncci(path: Path | None = None) -> NcciTables | None:
    """The imported NCCI tables, or None when nothing was ever imported at ``path``."""
    target = Path(path) if path is not None else default_path()
    if not target.exists():
        return None
    tables = NcciTables(target)
    if not any(tables.counts().values()):
        tables.close()
        return None
    return tables
