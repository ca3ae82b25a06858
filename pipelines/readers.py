"""Any tabular file -> a staged, typed batch in the per-load scratch DuckDB.

    read_table  file -> text table: one VARCHAR column per header + _source_row (CSV/TSV/TXT, Excel, Parquet)
    header_map  headers -> (source, {header: canonical column}) via sources.alias_index and a user mapping file
    conform     text table -> batch_<source>: every canonical column in its type + _source_row + _cast_errors
    drop_raw    read_table's text table dropped once conform has typed it

pipelines.intake.stage_file puts them together (or hands a file to its format handler, pipelines.formats).

Rows are only ever touched by DuckDB SQL; Python looks at headers, byte samples and per-column counts.
File headers are untrusted: they reach SQL only as quoted identifiers, and every value is a bound parameter.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import hashlib
import io
import logging
import re
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from charset_normalizer import from_bytes

from contract import settings
from contract.batch import InputError, Progress, StagedBatch
from contract.files import PARQUET_FILES, TABLE_FILES
from contract.sources import (
    BOOLEAN,
    DATE,
    INTEGER,
    NUMERIC_TYPES,
    SOURCES,
    TEXT,
    Source,
    alias_index,
    dedupe_headers,
    normalise_header,
)
from pipelines import workbook

log = logging.getLogger(__name__)


def _quiet(message: str, percent: float | None = None, /) -> None:
    """Progress nobody watches."""


SAMPLE = 1 << 16  # bytes looked at for binary content, encoding, delimiter and header
CHUNK = 1 << 22  # streaming unit for UTF-8 validation and transcoding
DELIMITERS = (",", ";", "\t", "|")  # in order of preference when a header line holds as many of each
CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])  # never in a text export

# Bound into the typing SQL.
EXTRA_FIELDS = 64  # a row's fields past the header's that a lenient read keeps (and the gate quarantines)
READ_NOTES = ("_extra_fields", "_overlong_line")  # what a reader could not place in a row's cells
PARAMS = {
    "null_tokens": ["nan", "null", "none", "n/a", "na", "#n/a", "-", "\u2014"],  # typed: no value, not an error
    "true_words": ["true", "t", "yes", "y", "1", "1.0", "是"],
    "false_words": ["false", "f", "no", "n", "0", "0.0", "否"],
    "months": ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
}


# --- reading -------------------------------------------------------------------------------------

@dataclass
class RawTable:
    """A file read as text: `table` is a view with one VARCHAR column per header plus _source_row
    (1-based data row, header excluded) over the physical table `<table>__cells`."""

    table: str
    headers: list[str]  # the original headers in file order, de-duplicated ('x', 'x' -> 'x', 'x_2')
    rows: int
    file_name: str


def read_table(con: duckdb.DuckDBPyConnection, path: Path, *, table: str = "file_text", sheet: str | None = None,
               progress: Progress | None = None) -> RawTable:
    name = path.name
    if path.stat().st_size == 0:
        raise InputError(name, "empty_file", "the file is empty (0 bytes)")
    with path.open("rb") as fh:
        head = fh.read(SAMPLE)
    cells = f"{table}__cells"
    kind = _kind(path, head)
    if kind == "excel":
        _load_excel(con, path, cells, sheet)
    elif kind == "parquet":
        _load_parquet(con, path, cells)
    else:
        _load_text(con, path, cells, head, progress or _quiet)
    # CREATE TABLE AS keeps the file's order, so rowid + 1 is the data row number.
    con.execute(f"CREATE OR REPLACE VIEW {_q(table)} AS SELECT rowid + 1 AS _source_row, * FROM {_q(cells)}")
    headers = [r[0] for r in con.execute(f"DESCRIBE {_q(cells)}").fetchall()]
    rows = con.execute(f"SELECT count(*) FROM {_q(cells)}").fetchall()[0][0]
    if not rows:
        raise InputError(name, "no_data_rows", "header only, no data rows")
    return RawTable(table, headers, rows, name)


def _kind(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix not in TABLE_FILES:
        raise InputError(path.name, "unsupported_format",
                         f"unsupported file type {suffix or '(no extension)'}: "
                         "expected CSV/TSV/TXT, XLSX/XLS or Parquet")
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a workbook, whatever its name says
        return "excel"
    if head.startswith(b"PAR1") or suffix in PARQUET_FILES:
        return "parquet"
    return "text"  # .xls "Excel exports" that are really CSV/TSV text are common


def _load_text(con: duckdb.DuckDBPyConnection, path: Path, cells: str, head: bytes, progress: Progress) -> None:
    encoding = _encoding(path, head)
    text = head.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="ignore")
    delimiter, skip = _dialect(text, path.suffix.lower())
    if head.count(b"\n") <= skip and path.stat().st_size > len(head):
        raise InputError(path.name, "header_too_long", f"no line break in the first {len(head):,} bytes: "
                         "a header row is never that long, so this is not a table")
    try:
        header = next(csv.reader(io.StringIO(text.split("\n", skip)[-1], newline=""), delimiter=delimiter), [])
    except csv.Error as err:
        raise InputError(path.name, "unreadable_file", f"cannot read the header row: {err}") from None
    if not any(h.strip() for h in header):
        raise InputError(path.name, "empty_file", "no header row")
    columns = {h: "VARCHAR" for h in dedupe_headers(header)}
    limit = int(settings.config()["limits"]["csv_max_line_bytes"])
    with _utf8(con, path, encoding, progress) as readable:
        sql = (f"CREATE OR REPLACE TABLE {_q(cells)} AS SELECT * FROM read_csv($path, auto_detect=false, "
               "header=true, skip=$skip, delim=$delim, quote='\"', escape='\"', columns=$columns, "
               "max_line_size=$max_line")
        params = {"path": str(readable), "skip": skip, "delim": delimiter, "columns": columns, "max_line": limit}
        try:
            _read_csv(con, path, cells, sql, params, delimiter)
        except _LongLine:
            progress(f"{path.name}: setting aside lines over {limit:,} bytes")
            with _without_long_lines(readable, _scratch_folder(con), limit, delimiter * (len(columns) - 1)) as (
                    short, overlong):
                _read_csv(con, path, cells, sql, {**params, "path": str(short)}, delimiter)
            _mark_overlong(con, cells, next(iter(columns)), overlong)


class _LongLine(Exception):
    """DuckDB's CSV reader met a line over max_line_size."""


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, cells: str, sql: str, params: dict, delimiter: str) -> None:
    try:
        con.execute(sql + ", strict_mode=true)", params)  # a well-formed file: one parallel pass
    except duckdb.Error as strict:
        if "Maximum line size" in str(strict):
            raise _LongLine from None
        if m := re.search(r"CSV Error on Line: (\d+)[\s\S]*Value with unterminated quote", str(strict)):
            raise InputError(path.name, "unterminated_quote", f"a quote opened on line {m[1]} is never closed: "
                             "everything after it would be read as one cell") from None
        _load_lenient(con, path, cells, sql, params, delimiter)


OVERLONG_KEPT = 4096  # characters of an overlong line kept in quarantine, with its size and sha256
_OVERLONG_MARK = "pmo-overlong-line-"


@contextmanager
def _without_long_lines(path: Path, scratch: Path | None, limit: int, padding: str
                        ) -> Iterator[tuple[Path, list[tuple[str, str]]]]:
    """A copy of the UTF-8 file where each line over `limit` bytes is one marker row (the marker in its first
    field, `padding` giving the header's field count), and [(marker, what the line was)] to quarantine it by."""
    overlong: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="pmo-lines-", dir=scratch) as folder:
        copy = Path(folder) / "short.csv"
        with path.open("rb") as src, copy.open("wb") as dst:
            for number, line in enumerate(iter(lambda: src.readline(limit + 1), b""), start=1):
                if line.endswith(b"\n") or len(line) <= limit:
                    dst.write(line)
                    continue
                digest, size, kept = hashlib.sha256(line), len(line), line[:OVERLONG_KEPT * 4]
                while not line.endswith(b"\n") and (line := src.readline(CHUNK)):
                    digest.update(line)
                    size += len(line)
                marker = f"{_OVERLONG_MARK}{len(overlong)}"
                begins = kept.decode("utf-8", errors="replace")[:OVERLONG_KEPT]
                overlong.append((marker, f"line {number}: {size:,} bytes, over the limit of {limit:,} ([limits] "
                                         f"csv_max_line_bytes); sha256 {digest.hexdigest()}; begins: {begins}"))
                dst.write(f"{marker}{padding}\n".encode())
        yield copy, overlong


def _mark_overlong(con: duckdb.DuckDBPyConnection, cells: str, first: str, overlong: list[tuple[str, str]]) -> None:
    """Turn the marker rows back into empty rows that carry `_overlong_line`, for the gate to quarantine."""
    con.execute(f"ALTER TABLE {_q(cells)} ADD COLUMN _overlong_line VARCHAR")
    con.execute("CREATE OR REPLACE TEMP TABLE _pmo_overlong (marker VARCHAR, line VARCHAR)")
    con.executemany("INSERT INTO _pmo_overlong VALUES (?, ?)", overlong)
    con.execute(f"UPDATE {_q(cells)} SET _overlong_line = o.line, {_q(first)} = NULL FROM _pmo_overlong o "
                f"WHERE {_q(cells)}.{_q(first)} = o.marker")
    con.execute("DROP TABLE _pmo_overlong")


def _load_lenient(con: duckdb.DuckDBPyConnection, path: Path, cells: str, sql: str, params: dict,
                  delimiter: str) -> None:
    """A file the strict CSV reader refuses (stray quotes, short or long rows): DuckDB's lenient serial reader, which
    pads short rows with NULLs. A row with more fields than the header keeps its extra fields in `_extra_fields`
    (up to EXTRA_FIELDS of them), which the gate quarantines: an unquoted delimiter inside a description must not
    cut the text silently."""
    extra = [f"_extra_{i}" for i in range(1, EXTRA_FIELDS + 1)]
    wide = f"{cells}__wide"
    try:
        con.execute(sql.replace(f"TABLE {_q(cells)}", f"TABLE {_q(wide)}") + ", strict_mode=false, parallel=false, "
                    "null_padding=true)", {**params, "columns": params["columns"] | dict.fromkeys(extra, "VARCHAR")})
    except duckdb.Error as err:
        shown = {"\t": "tab"}.get(delimiter, repr(delimiter))
        raise InputError(path.name, "unreadable_file",
                         f"cannot read as {shown}-separated text: {_first_line(err)}") from None
    joined = f"nullif(concat_ws($delim, {', '.join(_q(c) for c in extra)}), '')"
    longer = con.execute(f"SELECT count(*) FILTER ({joined} IS NOT NULL) FROM {_q(wide)}", {"delim": delimiter}
                         ).fetchone()
    kept = ", ".join(_q(c) for c in params["columns"])
    extras = f", {joined} AS _extra_fields" if longer and longer[0] else ""
    con.execute(f"CREATE OR REPLACE TABLE {_q(cells)} AS SELECT {kept}{extras} FROM {_q(wide)}",
                {"delim": delimiter} if extras else {})
    con.execute(f"DROP TABLE {_q(wide)}")


def _encoding(path: Path, head: bytes) -> str:
    """utf-8 (BOM or not), utf-16 (BOM), else gb18030 or cp1252 judged on whole lines from the first non-UTF-8 byte."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    _refuse_binary(path, head)
    bad = _first_invalid_utf8(path)  # also refuses a NUL byte past the sample
    if bad is None:
        return "utf-8"
    start = max(0, bad - 1024)
    with path.open("rb") as fh:
        fh.seek(start)
        window = fh.read(SAMPLE)
    _refuse_binary(path, window)
    first = window.find(b"\n") + 1 if start else 0  # whole lines: no character cut in two
    last = window.rfind(b"\n") + 1 if len(window) == SAMPLE else len(window)
    return _legacy_encoding(path, window[first:last] if last > first else window)


def _legacy_encoding(path: Path, sample: bytes) -> str:
    """GB18030 or cp1252. A Chinese character is two bytes >= 0x80, so GB18030 text has such bytes in runs;
    an accented Latin letter in cp1252 is one, between ASCII letters. charset-normalizer judges what is
    neither (alone it is misled by the ASCII around: it read a GB18030 timesheet of '开发' rows as cp1252)."""
    runs = [len(r) for r in re.findall(rb"[\x80-\xff]+", sample)]
    paired = sum(r for r in runs if r > 1) / max(1, sum(runs))
    fits = []
    for encoding in ("gb18030", "cp1252"):
        try:
            sample.decode(encoding)
            fits.append(encoding)
        except UnicodeDecodeError:
            pass
    if not fits:
        raise InputError(path.name, "not_text", "undecodable bytes: not UTF-8, GB18030 or cp1252 text")
    if paired > 0.8 and "gb18030" in fits:
        return "gb18030"
    if paired < 0.2 and "cp1252" in fits:
        return "cp1252"
    best = from_bytes(sample, cp_isolation=fits).best()
    return best.encoding if best else fits[-1]


def _refuse_binary(path: Path, chunk: bytes) -> None:
    controls = len(chunk) - len(chunk.translate(None, CONTROL_BYTES))
    if b"\x00" in chunk or controls > len(chunk) // 100:
        raise InputError(path.name, "not_text", "binary content (NUL or control bytes), not a text table")


def _first_invalid_utf8(path: Path) -> int | None:
    """Byte offset of the first byte that is not UTF-8, streaming (about 0.5 s per GB). A NUL byte anywhere
    (no text export holds one: a damaged or binary file) is an InputError naming its line."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if (nul := chunk.find(b"\x00")) >= 0:
                line = lines + chunk.count(b"\n", 0, nul) + 1
                raise InputError(path.name, "not_text", f"a NUL byte on line {line}: binary or damaged content, "
                                 "not a text table")
            lines += chunk.count(b"\n")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return offset + err.start  # within a few bytes: the pending tail of the last chunk counts too
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return max(0, offset - 4)
    return None


def _dialect(text: str, suffix: str) -> tuple[str, int]:
    """(delimiter, lines to skip): Excel's `sep=;` line, else the candidate the header line holds most of."""
    first = text.split("\n", 1)[0].strip("\r\ufeff")
    if m := re.fullmatch(r"sep=(.)", first):
        return m[1], 1
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    if suffix == ".tsv" and counts["\t"]:
        return "\t", 0
    best = max(DELIMITERS, key=counts.__getitem__)
    return (best if counts[best] else ","), 0


def _scratch_folder(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Where the scratch database lives (temporary copies of a file go beside it), None for an in-memory one."""
    db = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    return Path(db).parent if db else None


@contextmanager
def _utf8(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, progress: Progress) -> Iterator[Path]:
    """The file itself when UTF-8, else a UTF-8 copy written in chunks beside the scratch database."""
    if encoding == "utf-8":
        yield path
        return
    progress(f"{path.name}: converting {encoding} to UTF-8")
    with tempfile.TemporaryDirectory(prefix="pmo-utf8-", dir=_scratch_folder(con)) as folder:
        copy = Path(folder) / "utf8.csv"
        try:
            with (path.open(encoding=encoding, newline="") as src,
                  copy.open("w", encoding="utf-8", newline="") as dst):
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
        except UnicodeDecodeError as err:
            raise InputError(path.name, "encoding",
                             f"read as {encoding}, but bytes {err.object[err.start:err.end]!r} are not {encoding}; "
                             "save the file as UTF-8") from None
        yield copy


def _load_excel(con: duckdb.DuckDBPyConnection, path: Path, cells: str, sheet: str | None) -> None:
    """The sheet, read by pipelines.workbook in a child process, as a table of text cells."""
    with tempfile.TemporaryDirectory(prefix="pmo-sheet-", dir=_scratch_folder(con)) as folder:
        grid = workbook.read_sheet(path, sheet, Path(folder))
        con.execute(f"CREATE OR REPLACE TABLE {_q(cells)} AS SELECT * FROM read_parquet($grid)", {"grid": str(grid)})


def _load_parquet(con: duckdb.DuckDBPyConnection, path: Path, cells: str) -> None:
    params = {"path": str(path)}
    try:
        names = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet($path)", params).fetchall()]
        as_text = ", ".join(f"CAST({_q(n)} AS VARCHAR) AS {_q(h)}"
                            for n, h in zip(names, dedupe_headers(names), strict=True))
        con.execute(f"CREATE OR REPLACE TABLE {_q(cells)} AS SELECT {as_text} FROM read_parquet($path)", params)
    except duckdb.Error as err:
        raise InputError(path.name, "unreadable_file", f"not a readable Parquet file ({_first_line(err)})") from None


# --- headers -------------------------------------------------------------------------------------

def load_user_map(path: Path | str) -> dict[str, str]:
    """A user mapping file: `[aliases]` then `"Their Header" = "canonical_column"` lines."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            aliases = tomllib.load(fh).get("aliases", {})
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InputError(path.name, "mapping_file", f"cannot read the mapping file: {err}") from None
    known = {c.name for s in SOURCES.values() for c in s.columns}
    if unknown := sorted(f"{k!r} = {v!r}" for k, v in aliases.items() if v not in known):
        raise InputError(path.name, "mapping_file", f"[aliases] maps to unknown columns: {', '.join(unknown)}")
    return dict(aliases)


def header_map(headers: list[str], source: str | None, *, user_map: dict[str, str] | None = None,
               file_name: str) -> tuple[str, dict[str, str]]:
    """(source, {original header: canonical column}); the source is detected from the headers when None."""
    if source is not None and source not in SOURCES:
        raise InputError(file_name, "unknown_source", f"unknown source {source!r}; one of {', '.join(SOURCES)}")
    matches = {name: _match(headers, SOURCES[name], user_map or {}) for name in ([source] if source else SOURCES)}
    missing = {name: [c for c in SOURCES[name].required if c not in m.values()] for name, m in matches.items()}
    found = _listing(headers)
    if source:
        if missing[source]:
            also = f"also missing: {', '.join(missing[source][1:])}; " if missing[source][1:] else ""
            raise InputError(file_name, "required_column", f"required column missing ({also}headers found: {found})",
                             column=missing[source][0])
        chosen = source
    else:
        complete = [name for name in matches if not missing[name]]
        if not complete:
            closest = min(matches, key=lambda n: (len(missing[n]) / len(SOURCES[n].required), -len(matches[n])))
            raise InputError(file_name, "unknown_source",
                             f"the headers match no source; closest is {closest!r}, missing required column(s) "
                             f"{', '.join(missing[closest])} (headers found: {found}); pass --source, or map the "
                             "headers in a mapping file (PMO_MAPPING)")
        best = max(len(matches[n]) for n in complete)
        top = [n for n in complete if len(matches[n]) == best]
        named = [n for n in top if n.rstrip("s") in file_name.lower()]
        if len(top) > 1 and len(named) != 1:
            raise InputError(file_name, "ambiguous_source",
                             f"the headers fit {' and '.join(top)} equally well; pass --source")
        chosen = top[0] if len(top) == 1 else named[0]
    if ignored := [h for h in headers if h not in matches[chosen]]:
        log.info("%s: columns not used by %s: %s", file_name, chosen, ", ".join(ignored))
    return chosen, matches[chosen]


def _match(headers: list[str], source: Source, user_map: dict[str, str]) -> dict[str, str]:
    """One header per canonical column: its own name beats a user alias beats a built-in alias, then file order."""
    own = {c.name for c in source.columns}
    extra = {h: c for h, c in user_map.items() if c in own}
    index = alias_index(source, extra)
    user = {normalise_header(h) for h in extra}
    best: dict[str, tuple[tuple[int, int], str]] = {}
    for position, header in enumerate(headers):
        key = normalise_header(header)
        if (canonical := index.get(key)) is None:
            continue
        rank = (0 if key == normalise_header(canonical) else 1 if key in user else 2, position)
        if canonical not in best or rank < best[canonical][0]:
            best[canonical] = (rank, header)
    return {header: canonical for canonical, (_, header) in sorted(best.items(), key=lambda kv: kv[1][0][1])}


def _listing(headers: list[str], limit: int = 20) -> str:
    more = f" … (+{len(headers) - limit} more)" if len(headers) > limit else ""
    return ", ".join(headers[:limit]) + more


# --- typing --------------------------------------------------------------------------------------

# Date shapes; a value may carry a time after a space or 'T', which is dropped.
_END = r"(?:$|[ T])"
YMD = r"^(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?" + _END  # ISO, 2026/03/02, 2026年3月2日
SLASH = r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})" + _END  # d/m/Y or m/d/Y, per column
DOTTED = r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})" + _END  # DD.MM.YYYY
DAY_MON = r"^(\d{1,2})[- ]([A-Za-z]{3,9})\.?[- ,]+(\d{4}|\d{2})" + _END  # 02-Nov-04, 2 November 2004
MON_DAY = r"^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})" + _END  # Nov 2, 2004
ISO = r"\d{4}-\d{1,2}-\d{1,2}([ T]\d.*)?"  # a whole column of these takes the plain cast
SERIALS = (20000, 80000)  # Excel day numbers 1954-10-03 .. 2119-01-10


def conform(con: duckdb.DuckDBPyConnection, source: str, text_table: str, file_name: str, *,
            header_map: dict[str, str], as_of: date | None = None, table: str | None = None) -> StagedBatch:
    """Build `table` (default batch_<source>): the source's canonical columns typed, + _source_row, _cast_errors."""
    spec = SOURCES[source]
    table = table or f"batch_{source}"
    present = {canonical: header for header, canonical in header_map.items()}
    raw = {c.name: f"_raw_{c.name}" for c in spec.columns if c.name in present}
    params: dict[str, object] = dict(PARAMS)
    dates = _date_plans(con, text_table, file_name, {c.name: present[c.name] for c in spec.columns
                                                      if c.type == DATE and c.name in present}, params)
    cells = [f"{_cell(present[c.name])} AS {_q(raw[c.name])}" for c in spec.columns if c.name in raw]
    typed, errors = [], []
    for col in spec.columns:
        if col.name not in raw:
            typed.append(f"NULL::{col.type} AS {col.name}")
            continue
        value = _q(raw[col.name])
        if col.type != TEXT:
            shown = f"left({value}, 60) || CASE WHEN length({value}) > 60 THEN '…' ELSE '' END"
            errors.append(f"CASE WHEN {value} IS NOT NULL AND {col.name} IS NULL AND NOT {_placeholder(value)} "
                          f"THEN '{col.name}=''' || {shown} || '''' END")
        if col.allowed:
            params[f"allowed_{col.name}"] = list(col.allowed)
        allowed = f"$allowed_{col.name}" if col.allowed else None
        typed.append(f"{_typed(col.type, value, dates.get(col.name), allowed)} AS {col.name}")
    outputs = [c.name for c in spec.columns]
    if spec.snapshot:  # as_of_date: the column, else --as-of, else the file name, else (status) report_date
        params["as_of"] = as_of or date_from_file_name(file_name)
        fallback = "COALESCE($as_of::DATE, report_date)" if source == "status" else "$as_of::DATE"
        if "as_of_date" in raw:
            cell = _q(raw["as_of_date"])  # an empty cell takes the fallback, an unreadable one stays an error
            fallback = f"CASE WHEN {cell} IS NULL OR {_placeholder(cell)} THEN {fallback} ELSE as_of_date END"
        outputs[outputs.index("as_of_date")] = f"{fallback} AS as_of_date"
    # what the reader could not place in a row's cells (see _load_lenient, _without_long_lines) is carried on,
    # for the gate to quarantine the row with it
    every = [n for (n, *_) in con.execute(f"DESCRIBE {_q(text_table)}").fetchall() if n != "_source_row"]
    notes = [n for n in every if n in READ_NOTES]
    cells += notes
    outputs += notes
    # a row is blank when every cell of it is, mapped or not: a row with text only in an unmapped column is a row
    # (and fails the gate's rules), never dropped unseen
    blank = f"COALESCE({', '.join(f'nullif(trim({_q(n)}), {chr(39) * 2})' for n in every)}) IS NULL"
    _execute(con, f"""
        CREATE OR REPLACE TABLE {_q(table)} AS
        WITH cells AS (
            SELECT _source_row, {', '.join(cells)} FROM {_q(text_table)} WHERE NOT ({blank})
        ), typed AS (
            SELECT *, {', '.join(typed)} FROM cells
        )
        SELECT {', '.join(outputs)}, _source_row,
               NULLIF(concat_ws('; ', {', '.join(errors) or 'NULL'}), '') AS _cast_errors
        FROM typed""", params)
    rows, as_of_dates, undated = con.execute(
        f"SELECT count(*), list(DISTINCT as_of_date), count(*) FILTER (as_of_date IS NULL AND "
        f"NOT contains(coalesce(_cast_errors, ''), 'as_of_date=')) FROM {_q(table)}"
        if spec.snapshot else f"SELECT count(*), [], 0 FROM {_q(table)}").fetchall()[0]
    if not rows:
        raise InputError(file_name, "no_data_rows", "no data rows (only blank lines under the header)")
    if undated and source != "status":
        raise InputError(file_name, "as_of_required",
                         f"{undated} row(s) have no as_of_date and the file name holds no date "
                         f"(like {source}_2026-10-31.csv); pass --as-of YYYY-MM-DD")
    as_of_dates = [d for d in as_of_dates if d is not None]
    return StagedBatch(source, table, file_name, rows, [c.name for c in spec.columns if c.name in raw],
                       as_of_dates[0] if len(as_of_dates) == 1 else None)


def _cell(header: str) -> str:
    """A cell's text, trimmed, '' -> NULL. trim() strips spaces, Unicode ones (no-break, ideographic) included;
    casts also ignore tabs and line breaks."""
    return f"NULLIF(trim({_q(header)}), '')"


def _placeholder(v: str) -> str:
    """SQL: `v` is 'n/a', '-', 'NaN' ...: in a typed column no value, not a bad one. Only tested where a value
    failed to convert, so clean columns never pay for lower()."""
    return f"list_contains($null_tokens, lower({v}))"


def _typed(type_: str, v: str, date_plan: str | None, allowed: str | None) -> str:
    """SQL turning the trimmed text `v` into `type_`; NULL where it cannot."""
    if type_ in NUMERIC_TYPES:
        return _number(v, type_)
    if type_ == INTEGER:
        number = _number(v, "DOUBLE")
        return f"(CASE WHEN {number} = trunc({number}) THEN TRY_CAST({number} AS INTEGER) END)"
    if type_ == BOOLEAN:
        return (f"COALESCE(TRY_CAST({v} AS BOOLEAN), CASE WHEN list_contains($true_words, lower({v})) THEN true "
                f"WHEN list_contains($false_words, lower({v})) THEN false END)")  # the cast knows true/yes/1 ...
    if type_ == DATE:
        return _date(v, date_plan or "iso")
    if allowed:  # closed vocabulary: 'On Hold' -> 'on_hold'; anything else stays as written for the gate
        word = rf"regexp_replace(lower({v}), '[\s-]+', '_', 'g')"
        return f"(CASE WHEN list_contains({allowed}, {word}) THEN {word} ELSE {v} END)"
    return v


def _number(v: str, type_: str) -> str:
    """Plain numbers cast directly (text to decimal, never through a float); otherwise drop currency, spaces and
    %, read (1,234) as negative and accept 1,234.50 or 1.234,50 grouping. A bare 1,234 is read the English way.
    NaN, infinities and values too large for `type_` convert to NULL (a cast error)."""
    s = rf"regexp_replace({v}, '[\s£$€¥￥元%()]|USD|GBP|EUR|CNY|RMB|JPY|AUD|CAD|CHF|HKD|INR', '', 'g')"
    clean = (rf"CASE WHEN regexp_full_match({s}, '[+-]?\d{{1,3}}(,\d{{3}})+(\.\d+)?') THEN replace({s}, ',', '') "
             rf"WHEN regexp_full_match({s}, '[+-]?(\d{{1,3}}(\.\d{{3}})+|\d+),\d+') "
             rf"THEN replace(replace({s}, '.', ''), ',', '.') ELSE {s} END")
    sign = rf"CASE WHEN regexp_full_match({v}, '\(.+\)') THEN -1 ELSE 1 END"
    number = f"COALESCE(TRY_CAST({v} AS {type_}), ({sign}) * TRY_CAST({clean} AS {type_}))"
    if type_ != "DOUBLE":
        return f"CAST({number} AS {type_})"
    return f"NULLIF(NULLIF(NULLIF({number}, 'nan'::DOUBLE), 'inf'::DOUBLE), '-inf'::DOUBLE)"  # the cast takes those


def _date(v: str, plan: str) -> str:
    """SQL for one date column. plan: 'iso' (plain cast), 'serial' (Excel day numbers), or 'dmy'/'mdy':
    every shape, with slash dates read in that order."""
    if plan == "iso":
        return f"TRY_CAST({v} AS DATE)"
    if plan == "serial":
        return f"(DATE '1899-12-30' + floor(TRY_CAST({v} AS DOUBLE))::INTEGER)"

    def part(pattern: str, group: int) -> str:
        return f"regexp_extract({v}, '{pattern}', {group})"

    def make(pattern: str, y: int, m: int | str, d: int) -> str:
        year = part(pattern, y)  # two digits: 00-68 -> 20xx, 69-99 -> 19xx
        year = (f"(CASE WHEN length({year}) = 2 THEN ({year}::INTEGER + CASE WHEN {year}::INTEGER <= 68 "
                f"THEN 2000 ELSE 1900 END)::VARCHAR ELSE {year} END)")
        month = part(pattern, m) if isinstance(m, int) else m
        return f"TRY_CAST({year} || '-' || {month} || '-' || {part(pattern, d)} AS DATE)"

    def month_name(pattern: str, group: int) -> str:
        return f"list_position($months, lower(left({part(pattern, group)}, 3)))::VARCHAR"

    month, day = (2, 1) if plan == "dmy" else (1, 2)  # regex groups of a slash date
    return f"""(CASE
        WHEN regexp_matches({v}, '{YMD}') THEN {make(YMD, 1, 2, 3)}
        WHEN regexp_matches({v}, '{SLASH}') THEN {make(SLASH, 3, month, day)}
        WHEN regexp_matches({v}, '{DOTTED}') THEN {make(DOTTED, 3, 2, 1)}
        WHEN regexp_matches({v}, '{DAY_MON}') THEN {make(DAY_MON, 3, month_name(DAY_MON, 2), 1)}
        WHEN regexp_matches({v}, '{MON_DAY}') THEN {make(MON_DAY, 3, month_name(MON_DAY, 1), 2)}
    END)"""


def _date_plans(con: duckdb.DuckDBPyConnection, text_table: str, file_name: str, columns: dict[str, str],
                params: dict[str, object]) -> dict[str, str]:
    """Per date column (canonical -> header), how to read it, decided from all its values: 'iso' when every
    value is ISO, 'serial' when every value is an Excel day number, else 'dmy' or 'mdy'.

    Slash dates: a first part > 12 means d/m/Y, a second part > 12 means m/d/Y. A column where every
    such date reads both ways takes the order the file's other date columns prove, else it is an error
    ([dates] slash_order in pmo.toml forces an order)."""
    if not columns:
        return {}
    cells = f"SELECT {', '.join(f'{_cell(h)} AS {_q(c)}' for c, h in columns.items())} FROM {_q(text_table)}"
    iso = {c: f"({_q(c)} LIKE '____-__-__' OR regexp_full_match({_q(c)}, '{ISO}'))" for c in columns}  # cheap first
    not_iso = [f"count(*) FILTER (NOT {iso[c]} AND NOT {_placeholder(_q(c))})" for c in columns]
    counts = _execute(con, f"SELECT {', '.join(not_iso)} FROM ({cells})", params).fetchall()[0]
    plans = {c: "iso" for c, n in zip(columns, counts, strict=True) if n == 0}
    rest = [c for c in columns if c not in plans]
    if not rest:
        return plans
    stats = []
    for c in rest:
        v, slash = _q(c), f"regexp_matches({_q(c)}, '{SLASH}')"
        first, second = (f"TRY_CAST(regexp_extract({v}, '{SLASH}', {g}) AS INTEGER)" for g in (1, 2))
        stats.append(f"count(*) FILTER (NOT coalesce(TRY_CAST({v} AS DOUBLE) BETWEEN {SERIALS[0]} AND {SERIALS[1]},"
                     f" false) AND NOT {_placeholder(v)}), "
                     f"count(*) FILTER ({slash} AND {first} > 12), count(*) FILTER ({slash} AND {second} > 12), "
                     f"min({v}) FILTER ({slash} AND {first} <= 12 AND {second} <= 12 AND {first} <> {second})")
    row = _execute(con, f"SELECT {', '.join(stats)} FROM ({cells})", params).fetchall()[0]
    setting = settings.config()["dates"]["slash_order"]
    if setting not in ("auto", "dmy", "mdy"):
        raise InputError(settings.config_path().name, "config", f"[dates] slash_order = {setting!r}; "
                                                                 "expected 'auto', 'dmy' or 'mdy'")
    proven: set[str] = set()  # orders some column's values prove
    unsure: dict[str, str] = {}  # column -> an example value readable both ways
    for i, column in enumerate(rest):
        not_serial, day_first, month_first, example = row[i * 4:i * 4 + 4]
        if not not_serial:
            plans[column] = "serial"
        elif setting != "auto":
            plans[column] = setting
        elif day_first and month_first:
            raise InputError(file_name, "mixed_date_order", f"dates such as {example or 'these'} mix d/m/Y "
                             "(day > 12 first) and m/d/Y (day > 12 second) in one column", column=columns[column])
        elif day_first or month_first:
            plans[column] = "dmy" if day_first else "mdy"
            proven.add(plans[column])
        elif example:
            unsure[column] = example
        else:
            plans[column] = "dmy"  # no slash date, or only ones like 04/04 that read the same both ways
    for column, example in unsure.items():
        if len(proven) != 1:
            raise InputError(file_name, "ambiguous_date", f"dates like {example} could be d/m/Y or m/d/Y; "
                             "set [dates] slash_order in pmo.toml", column=columns[column])
        plans[column] = next(iter(proven))
    return plans


def date_from_file_name(name: str) -> date | None:
    """The snapshot date a file name carries: *_2026-10-31.* that day, *_2026-10.* that month's end,
    *20251121* (yyyymmdd). The last such date in the name wins."""
    stem = Path(name).stem
    found: list[tuple[int, date]] = []
    patterns = (r"(?<!\d)(\d{4})[-_.](\d{1,2})[-_.](\d{1,2})(?!\d)", r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)",
                r"(?<!\d)(\d{4})[-_.](\d{1,2})(?![-_.]?\d)")
    for pattern in patterns:
        for m in re.finditer(pattern, stem):
            y, mo = int(m[1]), int(m[2])
            try:
                day = int(m[3]) if m.lastindex == 3 else calendar.monthrange(y, mo)[1]
                found.append((m.start(), date(y, mo, day)))
            except (ValueError, calendar.IllegalMonthError):
                continue
    return max(found)[1] if found else None


def drop_raw(con: duckdb.DuckDBPyConnection, raw: RawTable) -> None:
    """Drop read_table's text table once conform has typed it."""
    con.execute(f"DROP VIEW {_q(raw.table)}")
    con.execute(f"DROP TABLE {_q(raw.table + '__cells')}")


# --- helpers -------------------------------------------------------------------------------------

def _q(identifier: str) -> str:
    """A safely quoted SQL identifier (file headers are untrusted)."""
    return '"' + identifier.replace('"', '""') + '"'


def _execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> duckdb.DuckDBPyConnection:
    """Run `sql` binding the named parameters it uses (DuckDB refuses unused ones); a `$name` inside a
    quoted identifier (a file header) or a string literal is not a parameter."""
    code = re.sub(r'"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\'', "", sql)
    used = set(re.findall(r"\$(\w+)", code))
    return con.execute(sql, {k: v for k, v in params.items() if k in used})


def _first_line(err: Exception) -> str:
    return next((line.strip() for line in str(err).splitlines() if line.strip()), type(err).__name__)
