"""Mapping presets: one TOML file per public export format (pipelines/mappings/NAME.toml).

A preset says, in a form a PMO analyst can read and edit, which canonical sources a file fills and
how each canonical column is made from the file's columns. pipelines/mappings/README.md documents
the keys; in short, each `[[batch]]` fills one source and each entry of its `columns` table is one
of
    "Header"                                   the cell as written
    { column = "Header" }                      the same, with options below
    { columns = ["A", "B"] }                   the first of those cells that holds a value
    { template = "{year}-03-31" }              text built from cells (empty if a cell is empty)
    { value = "GBP" }                          the same value on every row
    { withheld = "reason" }                    the file has no such value: empty, counted as withheld
with options `map` (case-insensitive value -> value, unmapped values empty unless `unmapped =
"keep"`), `scale` and `round` (numbers, applied after typing), `blank = "withheld"`, and in batches
with `group_by`, `aggregate = "min" | "max"`.

Cells whose text matches the preset's `withheld` patterns (FOI exemptions, "not yet published")
are values the publisher declined to give: they are left empty (never 0) and listed in the batch's
`_withheld` column ("budget_at_completion='Exempt under Section 43 …'") for the quality gate,
which counts them and does not quarantine the row for them. Any other unreadable cell is an
ordinary `_cast_errors` entry and its row is quarantined.

Everything typed goes through `readers.conform`, the same code as any CSV.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from contract.batch import InputError, StagedBatch
from contract.sources import NUMERIC_TYPES, SOURCES, normalise_header
from pipelines.readers import conform, date_from_file_name, read_table

MAPPINGS = Path(__file__).resolve().parents[1] / "mappings"
SNIFF_BYTES = 1 << 16
SNIFF_SUFFIXES = {".csv", ".tsv", ".txt"}
SPEC_KEYS = {"column", "columns", "template", "value", "withheld", "map", "unmapped", "scale", "round", "blank",
             "aggregate"}
AGGREGATES = {"min", "max"}


@dataclass(frozen=True)
class ColumnSpec:
    target: str
    headers: tuple[str, ...] = ()  # file columns read, in order (first with a value wins)
    template: str | None = None
    value: str | None = None
    withheld: str | None = None  # the whole column is withheld for this reason
    mapping: dict[str, str] | None = None
    keep_unmapped: bool = False
    scale: float | None = None
    round: int | None = None
    blank_withheld: bool = False
    aggregate: str | None = None


@dataclass(frozen=True)
class MilestoneDate:
    column: str
    milestone_id: str
    name: str
    gate: bool


@dataclass(frozen=True)
class BatchSpec:
    source: str
    columns: tuple[ColumnSpec, ...] = ()
    group_by: tuple[str, ...] = ()
    milestone_dates: tuple[MilestoneDate, ...] = ()
    needs_as_of: bool = False


@dataclass(frozen=True)
class Companion:
    file: str
    key: str
    detect: tuple[str, ...]


@dataclass(frozen=True)
class Preset:
    name: str
    path: Path
    title: str
    detect: tuple[str, ...]
    withheld: tuple[str, ...]
    batches: tuple[BatchSpec, ...]
    companion: Companion | None = None
    headers_used: tuple[str, ...] = field(default=())


# --- loading presets -----------------------------------------------------------------------------

def available() -> list[str]:
    return sorted(p.stem for p in MAPPINGS.glob("*.toml"))


def find(mapping: str) -> Preset | None:
    """The preset `mapping` names: a file in pipelines/mappings by stem, or a path to a preset TOML.
    None when `mapping` is a path to a TOML file without a [preset] table (a user header map)."""
    path = Path(mapping)
    if path.suffix.lower() == ".toml" and path.is_file():
        return _load(path.resolve(), path.stat().st_mtime_ns)
    candidate = MAPPINGS / f"{mapping}.toml"
    if re.fullmatch(r"[\w-]+", mapping) and candidate.is_file():
        return _load(candidate, candidate.stat().st_mtime_ns)
    raise InputError(mapping, "mapping_preset", f"no mapping preset {mapping!r}; "
                                                f"available: {', '.join(available()) or 'none'}")


def detect(path: Path) -> tuple[Preset, bool] | None:
    """(preset, is_companion) when the file's header line matches a preset's `detect` headers."""
    if path.suffix.lower() not in SNIFF_SUFFIXES or not path.is_file():
        return None
    headers = {normalise_header(h) for h in sniff_headers(path)}
    if not headers:
        return None
    for name in available():
        candidate = MAPPINGS / f"{name}.toml"
        preset = _load(candidate, candidate.stat().st_mtime_ns)
        if preset is None:
            continue
        if preset.detect and {normalise_header(h) for h in preset.detect} <= headers:
            return preset, False
        if preset.companion and {normalise_header(h) for h in preset.companion.detect} <= headers:
            return preset, True
    return None


def sniff_headers(path: Path) -> list[str]:
    """The header cells of a delimited text file, from its first 64 KiB (cheap; no full read)."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if b"\x00" in head[:4096]:
        return []
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max((",", ";", "\t", "|"), key=line.count)
    return next(csv.reader(io.StringIO(line), delimiter=delimiter), [])


@lru_cache(maxsize=16)  # keyed by (path, mtime): an edited preset is read again
def _load(path: Path, _mtime: int) -> Preset | None:
    name = path.name
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InputError(name, "mapping_preset", f"cannot read the preset: {err}") from None
    head = doc.get("preset")
    if not isinstance(head, dict):
        return None
    batches = []
    for i, b in enumerate(doc.get("batch", []), start=1):
        source = b.get("source")
        if source not in SOURCES:
            raise InputError(name, "mapping_preset", f"batch {i}: unknown source {source!r}")
        known = {c.name for c in SOURCES[source].columns}
        columns = []
        for target, spec in b.get("columns", {}).items():
            if target not in known:
                raise InputError(name, "mapping_preset", f"batch {i} ({source}): {target!r} is not a column of "
                                                         f"{source}", column=target)
            columns.append(_column(name, source, target, spec))
        dates = tuple(MilestoneDate(d["column"], d["id"], d["name"], bool(d.get("gate", False)))
                      for d in b.get("milestone_dates", []))
        if dates and source != "milestones":
            raise InputError(name, "mapping_preset", f"batch {i}: milestone_dates only fill milestones")
        group_by = tuple(b.get("group_by", ()))
        if group_by and not set(group_by) <= {c.target for c in columns}:
            raise InputError(name, "mapping_preset", f"batch {i}: group_by names columns the batch does not map")
        batches.append(BatchSpec(source, tuple(columns), group_by, dates, bool(b.get("needs_as_of", False))))
    companion = head.get("companion")
    return Preset(
        name=head.get("name", path.stem), path=path, title=head.get("title", path.stem),
        detect=tuple(head.get("detect", ())), withheld=tuple(head.get("withheld", ())), batches=tuple(batches),
        companion=Companion(companion["file"], companion["key"], tuple(companion.get("detect", ())))
        if companion else None)


def _column(file: str, source: str, target: str, spec: Any) -> ColumnSpec:
    if isinstance(spec, str):
        return ColumnSpec(target, headers=(spec,))
    if not isinstance(spec, dict) or not set(spec) <= SPEC_KEYS:
        raise InputError(file, "mapping_preset", f"{source}.{target}: expected a header name or a table with "
                                                 f"keys from {sorted(SPEC_KEYS)}", column=target)
    headers = tuple(spec.get("columns", ())) or ((spec["column"],) if "column" in spec else ())
    kinds = [k for k in ("column", "columns", "template", "value", "withheld") if k in spec]
    if len(kinds) != 1:
        raise InputError(file, "mapping_preset", f"{source}.{target}: give exactly one of column, columns, "
                                                 f"template, value, withheld", column=target)
    if spec.get("aggregate") not in (None, *AGGREGATES):
        raise InputError(file, "mapping_preset", f"{source}.{target}: aggregate is one of {sorted(AGGREGATES)}")
    col_type = SOURCES[source].column(target).type
    if ("scale" in spec or "round" in spec) and col_type not in NUMERIC_TYPES:
        raise InputError(file, "mapping_preset", f"{source}.{target}: scale/round apply to numbers only")
    return ColumnSpec(
        target, headers=headers, template=spec.get("template"),
        value=None if "value" not in spec else str(spec["value"]), withheld=spec.get("withheld"),
        mapping={str(k).strip().lower(): str(v) for k, v in spec.get("map", {}).items()} or None,
        keep_unmapped=spec.get("unmapped", "null") == "keep", scale=spec.get("scale"), round=spec.get("round"),
        blank_withheld=spec.get("blank") == "withheld", aggregate=spec.get("aggregate"))


# --- staging a file with a preset -------------------------------------------------------------------

def stage(con: duckdb.DuckDBPyConnection, path: Path, preset: Preset, *, as_of: date | None) -> list[StagedBatch]:
    name = path.name
    raw = read_table(con, path, table="preset_file")
    lines = raw.table
    headers = list(raw.headers)
    if preset.companion:
        lines, headers = _join_companion(con, path, preset, raw.table, headers)
    params: dict[str, object] = {}
    if preset.withheld:
        params["withheld"] = "|".join(f"(?:{p})" for p in preset.withheld)
    resolve = _resolver(name, preset, headers)
    as_of = as_of or date_from_file_name(name)
    batches = []
    for spec in preset.batches:
        if spec.needs_as_of and as_of is None:
            continue  # documented in the preset: this part loads only when --as-of names the data date
        if spec.milestone_dates:
            batches.append(_milestone_dates(con, name, spec, lines, resolve, params, as_of))
        else:
            batches.append(_batch(con, name, spec, lines, resolve, params, as_of))
    for table in ("preset_lines", "preset_companion", raw.table):
        con.execute(f"DROP VIEW IF EXISTS {table}")
    for table in ("preset_companion__cells", raw.table + "__cells"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return batches


def _resolver(file: str, preset: Preset, headers: list[str]):
    """preset header name -> the file's header (case, spaces and punctuation ignored)."""
    index: dict[str, str] = {}
    for h in headers:
        index.setdefault(normalise_header(h), h)

    def resolve(header: str, target: str) -> str:
        found = index.get(normalise_header(header))
        if found is None:
            raise InputError(file, "preset_column_missing", f"preset {preset.name} maps {header!r} to {target}, "
                                                            f"but the file has no such column", column=header)
        return found

    return resolve


def _join_companion(con: duckdb.DuckDBPyConnection, path: Path, preset: Preset, table: str,
                    headers: list[str]) -> tuple[str, list[str]]:
    """The preset's companion file (e.g. SiP's est-act-dates.csv), joined on its key, one row per key."""
    companion = preset.companion
    assert companion is not None
    other = path.with_name(companion.file)
    if not other.is_file():
        raise InputError(path.name, "companion_missing", f"preset {preset.name} reads {companion.file} beside "
                                                         f"{path.name} (it holds the dates); it is not there")
    extra = read_table(con, other, table="preset_companion")
    key = {normalise_header(h): h for h in headers}.get(normalise_header(companion.key))
    other_key = {normalise_header(h): h for h in extra.headers}.get(normalise_header(companion.key))
    if key is None or other_key is None:
        raise InputError(other.name if key else path.name, "preset_column_missing",
                         f"no key column {companion.key!r} to join {path.name} and {other.name}", column=companion.key)
    clash = {h.lower() for h in headers} & {h.lower() for h in extra.headers if h != other_key}
    if clash:
        raise InputError(other.name, "companion_columns", f"columns also in {path.name}: {', '.join(sorted(clash))}")
    added = [h for h in extra.headers if h != other_key]
    con.execute(f"""CREATE OR REPLACE VIEW preset_lines AS
        SELECT f.*, {', '.join(f'c.{_q(h)}' for h in added)}
        FROM {_q(table)} f LEFT JOIN (
            SELECT * FROM {_q(extra.table)} QUALIFY row_number() OVER (PARTITION BY trim({_q(other_key)})
                                                                       ORDER BY _source_row) = 1
        ) c ON trim(f.{_q(key)}) = trim(c.{_q(other_key)})""")
    return "preset_lines", headers + added


def _cell(header: str) -> str:
    return f"NULLIF(trim({_q(header)}), '')"


def _expressions(spec: ColumnSpec, resolve, params: dict[str, object], has_withheld: bool) -> tuple[str, str | None]:
    """SQL (value, withheld entry or NULL) for one canonical column over one file line."""
    t = spec.target
    if spec.value is not None:
        params[f"value_{t}"] = spec.value
        return f"$value_{t}", None
    if spec.withheld is not None:
        params[f"reason_{t}"] = spec.withheld
        return "NULL", f"'{t}=''' || $reason_{t} || ''''"
    if spec.template is not None:
        parts = re.split(r"\{([^{}]+)\}", spec.template)
        pieces = []
        for i, part in enumerate(parts):
            if i % 2:
                pieces.append(_cell(resolve(part, t)))
            elif part:
                params[f"lit_{t}_{i}"] = part
                pieces.append(f"$lit_{t}_{i}")
        return "(" + " || ".join(pieces or ["NULL"]) + ")", None
    values, declined = [], []
    for h in spec.headers:
        cell = _cell(resolve(h, t))
        if has_withheld:
            declined.append(f"CASE WHEN regexp_matches({cell}, $withheld) THEN {cell} END")
            cell = f"CASE WHEN regexp_matches({cell}, $withheld) THEN NULL ELSE {cell} END"
        if spec.mapping:
            params[f"keys_{t}"], params[f"vals_{t}"] = list(spec.mapping), list(spec.mapping.values())
            found = f"list_position($keys_{t}, lower({cell}))"
            cell = f"CASE WHEN {found} > 0 THEN $vals_{t}[{found}] {'ELSE ' + cell if spec.keep_unmapped else ''} END"
        values.append(cell)
    value = values[0] if len(values) == 1 else f"COALESCE({', '.join(values)})"
    reasons = [*declined, *(["'(blank)'"] if spec.blank_withheld else [])]
    if not reasons:
        return value, None
    reason = f"COALESCE({', '.join(reasons)})" if len(reasons) > 1 else reasons[0]
    reason = rf"regexp_replace({reason}, '\s+', ' ', 'g')"  # multi-line prose -> one line
    return value, (f"CASE WHEN {value} IS NULL AND {reason} IS NOT NULL THEN '{t}=''' || left({reason}, 60) "
                   f"|| CASE WHEN length({reason}) > 60 THEN '…' ELSE '' END || '''' END")


def _text_table(con, table: str, columns: list[ColumnSpec], lines: str, resolve,
                params: dict[str, object], preset_has_withheld: bool, extra: dict[str, str] | None = None) -> bool:
    """CREATE the canonical text table of one batch; True when it has a `_withheld` column."""
    selects, withheld = [], []
    for c in columns:
        value, declined = _expressions(c, resolve, params, preset_has_withheld)
        selects.append(f"CAST({value} AS VARCHAR) AS {_q(c.target)}")
        if declined:
            withheld.append(declined)
    for target, sql in (extra or {}).items():
        selects.append(f"{sql} AS {_q(target)}")
    if withheld:
        selects.append(f"NULLIF(concat_ws('; ', {', '.join(withheld)}), '') AS _withheld")
    sql = f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(selects)}, _source_row FROM {_q(lines)}"
    used = set(re.findall(r"\$(\w+)", sql))
    con.execute(sql, {k: v for k, v in params.items() if k in used})
    return bool(withheld)


def _batch(con, file: str, spec: BatchSpec, lines: str, resolve, params: dict[str, object],
           as_of: date | None) -> StagedBatch:
    text = f"preset_{spec.source}_text"
    has_withheld = _text_table(con, text, list(spec.columns), lines, resolve, params, "withheld" in params)
    header_map = {c.target: c.target for c in spec.columns}
    if spec.group_by:
        batch = conform(con, spec.source, text, file, header_map=header_map, as_of=as_of,
                        table=f"preset_{spec.source}_lines")
        batch = _group(con, spec, batch)
    else:
        batch = conform(con, spec.source, text, file, header_map=header_map, as_of=as_of)
        if has_withheld:
            con.execute(f"ALTER TABLE {batch.table} ADD COLUMN _withheld VARCHAR")
            con.execute(f"UPDATE {batch.table} b SET _withheld = t._withheld FROM {text} t "
                        f"WHERE t._source_row = b._source_row")
    _numbers(con, batch.table, spec.columns)
    con.execute(f"DROP TABLE {text}")
    return batch


def _group(con: duckdb.DuckDBPyConnection, spec: BatchSpec, lines: StagedBatch) -> StagedBatch:
    """One row per `group_by` key, from the typed line rows: `aggregate` columns min/max, the others
    their value on the first line. A line's unreadable cell is not repeated here: the same cell is
    reported, and its line quarantined, in the preset's line-level batch (e.g. SiP timesheets)."""
    source = SOURCES[spec.source]
    how = {c.target: c.aggregate for c in spec.columns}
    outputs = []
    for col in source.columns:
        if col.name in spec.group_by:
            outputs.append(col.name)
        elif how.get(col.name):
            outputs.append(f"{how[col.name]}({col.name}) AS {col.name}")
        else:
            outputs.append(f"first({col.name} ORDER BY _source_row) AS {col.name}")
    table = f"batch_{spec.source}"
    con.execute(f"""CREATE OR REPLACE TABLE {table} AS
        SELECT {', '.join(outputs)}, min(_source_row) AS _source_row, NULL::VARCHAR AS _cast_errors
        FROM {lines.table} GROUP BY {', '.join(spec.group_by)}""")
    con.execute(f"DROP TABLE {lines.table}")
    counted = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return StagedBatch(spec.source, table, lines.file_name, counted[0] if counted else 0, lines.columns,
                       lines.as_of_date)


def _numbers(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[ColumnSpec, ...]) -> None:
    for c in columns:
        if c.scale is None and c.round is None:
            continue
        value = (f"CAST({c.target} AS DECIMAL(38,4)) * CAST($scale AS DECIMAL(18,6))"  # exact, with room
                 if c.scale is not None else c.target)
        value = f"round({value}, $digits)" if c.round is not None else value
        params = {k: v for k, v in (("scale", c.scale), ("digits", c.round)) if v is not None}
        con.execute(f"UPDATE {table} SET {c.target} = {value}", params)


def _milestone_dates(con, file: str, spec: BatchSpec, lines: str, resolve, params: dict[str, object],
                     as_of: date | None) -> StagedBatch:
    """A register with one date column per gate or stage -> one milestone row per non-empty date.

    Such a register holds one date per milestone and no baseline: baseline = forecast = that date
    (slip 0), and it is also the actual date once it is on or before the as-of date. The date
    columns are stacked as text and typed once (as one column: a register writes its dates one way;
    ISO date-times read under either slash order)."""
    parts = []
    for i, d in enumerate(spec.milestone_dates):
        header = resolve(d.column, "milestones")
        params.update({f"ms_id_{i}": d.milestone_id, f"ms_name_{i}": d.name, f"ms_gate_{i}": str(d.gate).lower()})
        extra = {"milestone_id": f"$ms_id_{i}", "milestone_name": f"$ms_name_{i}", "baseline_date": _cell(header),
                 "is_gate": f"$ms_gate_{i}"}
        text = f"preset_milestones_{i}_text"
        _text_table(con, text, list(spec.columns), lines, resolve, params, False, extra)
        parts.append(text)
    text = "preset_milestones_text"
    con.execute(f"CREATE OR REPLACE TABLE {text} AS "
                + " UNION ALL ".join(f"SELECT * FROM {p} WHERE baseline_date IS NOT NULL" for p in parts)
                + " ORDER BY _source_row")
    for p in parts:
        con.execute(f"DROP TABLE {p}")
    header_map = {c: c for c in [*(c.target for c in spec.columns), "milestone_id", "milestone_name",
                                 "baseline_date", "is_gate"]}
    batch = conform(con, "milestones", text, file, header_map=header_map, as_of=as_of)
    con.execute(f"UPDATE {batch.table} SET forecast_date = baseline_date, "
                f"actual_date = CASE WHEN baseline_date <= as_of_date THEN baseline_date END")
    con.execute(f"DROP TABLE {text}")
    order = [c.name for c in SOURCES["milestones"].columns]
    batch.columns = sorted({*batch.columns, "forecast_date", "actual_date"}, key=order.index)
    return batch


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'

