"""The warehouse file: the pipelines' read-write connection, the raw/audit schema, and publishing.

DuckDB allows one writing process OR many readers of a file. The dashboard therefore never opens the
warehouse itself: after every successful build the marts are copied into an immutable *published
snapshot* (`<db>.published/v<N>.duckdb`) and a pointer file names the newest one. Readers open that
snapshot read-only, so `pmo ingest` in another process never blocks them, and the pointer's version
is the cache key that makes them see the new numbers once a load commits.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from contract import settings
from contract.layout import current_snapshot, published_dir
from contract.sources import LINEAGE_COLUMNS, SOURCES
from pipelines import build

AUDIT_DDL = """
CREATE TABLE IF NOT EXISTS load_log (
    load_id VARCHAR PRIMARY KEY,      -- one file (or one source of a multi-source file) loaded once
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    as_of_date DATE,
    loaded_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL,          -- loaded | loaded_with_quarantine | rejected | superseded
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    message VARCHAR
);
CREATE TABLE IF NOT EXISTS gate_results (
    load_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,     -- great-expectations expectation type
    rule VARCHAR NOT NULL,            -- our rule name, e.g. hours_between_0_and_24
    column_name VARCHAR,
    severity VARCHAR NOT NULL,        -- structural | row | warning
    success BOOLEAN NOT NULL,
    unexpected_count BIGINT,
    examples VARCHAR,
    checked_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    load_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    rule VARCHAR NOT NULL,
    column_name VARCHAR,
    record JSON,                      -- the row as read, so nothing a user loaded is lost
    row_loaded BOOLEAN NOT NULL DEFAULT false  -- true: a cell rule's entry; the row loaded with that cell empty
);
-- warehouses made before cell-level quarantine
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS row_loaded BOOLEAN DEFAULT false;
CREATE TABLE IF NOT EXISTS load_replaced (  -- rows a load replaced: rows_loaded - replaced later = rows in raw
    load_id VARCHAR NOT NULL,         -- the later load
    replaced_load_id VARCHAR NOT NULL,  -- the earlier load whose rows it replaced
    source VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,            -- corrected_export | snapshot_as_of | same_grain (pipelines/ingest.py)
    rows BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS warehouse_meta (key VARCHAR PRIMARY KEY, value VARCHAR);  -- raw_version ...
-- months frozen as presented (pipelines/freeze.py): one row per version, the files beside the warehouse
CREATE TABLE IF NOT EXISTS frozen_month (
    month VARCHAR NOT NULL,           -- 'YYYY-MM'
    version INTEGER NOT NULL,         -- 1, 2 ... (--replace adds one; every version stays listed)
    frozen_at TIMESTAMP NOT NULL,
    file_name VARCHAR NOT NULL,       -- in <db>.frozen/
    code_version VARCHAR NOT NULL,    -- pipelines.warehouse.code_version() of the code that built it
    config_sha256 VARCHAR NOT NULL,   -- of the configuration file it was built with
    is_current BOOLEAN NOT NULL,
    PRIMARY KEY (month, version)
);
CREATE TABLE IF NOT EXISTS frozen_input (  -- every input file a frozen month was built from
    month VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,       -- sha256 of the file's bytes
    loaded_at TIMESTAMP NOT NULL
);
"""


def raw_table_ddl(source_name: str) -> str:
    source = SOURCES[source_name]
    cols = [f"{c.name} {c.type}" for c in source.columns] + [f"{n} {t}" for n, t in LINEAGE_COLUMNS.items()]
    return f"CREATE TABLE IF NOT EXISTS {source.table} ({', '.join(cols)})"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(AUDIT_DDL)
    for name in SOURCES:
        con.execute(raw_table_ddl(name))
    _retype_raw_columns(con)


def _retype_raw_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses made before amounts were exact decimals: convert their raw columns to the contract's types."""
    found = dict(((t, c), ty) for t, c, ty in con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main'").fetchall())
    for source in SOURCES.values():
        for col in source.columns:
            if found.get((source.table, col.name), col.type) != col.type:
                con.execute(f"ALTER TABLE {source.table} ALTER COLUMN {col.name} TYPE {col.type}")


@contextmanager
def connect(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The pipelines' read-write connection to the warehouse `path`; creates the file and schema on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config=database_config())
    try:
        ensure_schema(con)
        yield con
    finally:
        con.close()


def database_config() -> dict[str, Any]:
    """The DuckDB settings of the pipelines' own databases (the warehouse, a load's staging database): their
    memory, [limits] database_memory_bytes, past which DuckDB spills to disk."""
    memory = _whole_setting("limits", "database_memory_bytes", 2**26, "of bytes, at least 64 MiB (67108864)")
    return {"memory_limit": f"{memory}B"}


def _whole_setting(section: str, key: str, least: int, what: str) -> int:
    """The whole number `[section] key` of the configuration, at least `least`, else a ConfigError naming it."""
    value = settings.config()[section][key]
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise build.ConfigError(f"{settings.config_path().name}: [{section}] {key} must be a whole number {what}, "
                                f"got {value!r}")
    return value


# --- one writer at a time -------------------------------------------------------------------------

class WarehouseBusy(RuntimeError):
    """Another pmo process holds the writer lock and the caller chose not to wait."""


_HELD: dict[Path, list] = {}  # this process's writer locks: warehouse -> [lock fd, depth, what]


def lock_file(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def writing(path: Path, what: str = "writing", *, wait: bool = True,
            notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block (re-entrant within a process). When another process
    holds it: `notify` the message once and wait, or raise WarehouseBusy with it when `wait` is False."""
    path = path.resolve()
    if held := _HELD.get(path):
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd, fcntl.LOCK_EX):
            message = f"warehouse busy: {holder(path) or 'another pmo process is writing it'}"
            if not wait:
                raise WarehouseBusy(message)
            if notify:
                notify(f"{message}; waiting …")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"what": what, "since": datetime.now().isoformat(timespec="seconds"),
                                  "pid": os.getpid()}).encode(), 0)
        _HELD[path] = [fd, 1, what]
        try:
            yield
        finally:
            del _HELD[path]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _try_lock(fd: int, kind: int) -> bool:
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def holder(path: Path) -> str | None:
    """What holds the writer lock ("loading a.csv since 2026-12-04 10:42, pid 123"), None when it is free."""
    path = path.resolve()
    if held := _HELD.get(path):
        return str(held[2])
    try:
        fd = os.open(lock_file(path), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        if _try_lock(fd, fcntl.LOCK_SH):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        try:
            info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        except ValueError:  # the holder is writing it this instant
            info = {}
        since = str(info.get("since", "")).replace("T", " ")[:16]
        return f"{info.get('what', 'a pmo process')} since {since or '?'}, pid {info.get('pid', '?')}"
    finally:
        os.close(fd)


RAW_VERSION = "raw_version"


def bump_raw_version(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Count one more change of the raw layer; call it inside the transaction that makes the change."""
    con.execute(f"INSERT INTO {catalog}.warehouse_meta VALUES (?, '1') ON CONFLICT (key) DO UPDATE "
                "SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR)", [RAW_VERSION])


def raw_version(con: duckdb.DuckDBPyConnection) -> int:
    """How many changes of the raw layer the database (a warehouse or a snapshot of one) has seen."""
    try:
        row = con.execute("SELECT value FROM warehouse_meta WHERE key = ?", [RAW_VERSION]).fetchone()
    except duckdb.CatalogException:
        return -1
    return int(row[0]) if row else 0


def published_behind(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """Why the published snapshot is not what the warehouse (`con`) would publish now, or None when it is:
    no snapshot yet, one built by other code, or one built before the last change of the raw layer."""
    snapshot = current_snapshot(path)
    if snapshot is None:
        return "nothing is published yet"
    try:
        published = duckdb.connect(str(snapshot[1]), read_only=True)
    except duckdb.Error:
        return f"the published snapshot v{snapshot[0]} cannot be read"
    try:
        code = published.execute("SELECT code_version FROM snapshot_info").fetchone()
        published_raw = raw_version(published)
        published.execute("SELECT count(*) FROM dim_report_date").fetchone()  # its shared files are there
    except duckdb.CatalogException:
        code = None
    except duckdb.IOException:
        return f"the published snapshot v{snapshot[0]} cannot be read"
    finally:
        published.close()
    if code is None or code[0] != code_version():
        return f"the published snapshot v{snapshot[0]} was built by other code"
    if published_raw != (now := raw_version(con)):
        return f"the published snapshot v{snapshot[0]} is behind the raw layer (raw change {published_raw} of {now})"
    return None


# --- published snapshots for readers -------------------------------------------------------------


def code_version() -> str:
    """A digest of what shapes a published snapshot: the audit schema, the build (its cfg_* tables) and every
    model's SQL."""
    return build.code_digest(AUDIT_DDL.encode())


SHARED = re.compile(r"(dim|mart)_\w+")  # the tables a snapshot shares with the next ones while they do not change
WHOLE = ""  # the part name of a table published as one file


def publish(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """A new immutable snapshot of every table but raw_* and stg_*; returns its version.

    The dim_* and mart_* tables are Parquet files in `<published>/tables/`, shared by the snapshots while they do
    not change: a table the build did not write (its TEMP table built_tables) keeps the previous snapshot's file,
    so a load writes what it changed. A weekly mart (build.WEEKLY_MARTS) is one file per month of week_start, and
    a build that refreshed some weeks rewrites the months of those weeks only. `vN.duckdb` holds the rest
    (settings, the load log, quarantine ...) and a view per shared table; `vN.json` lists its files. The [publish]
    keep_versions newest snapshots are kept, with the files they use: a reader on an older one that is gone moves
    to the newest (dashboard.db retries)."""
    keep = keep_versions()
    folder = published_dir(path)
    shared = folder / "tables"
    shared.mkdir(parents=True, exist_ok=True)
    latest = current_snapshot(path)
    version = (latest[0] if latest else 0) + 1
    before = _manifest(folder, latest[0]) if latest else {}
    try:  # what the build wrote; a snapshot published without a build on this connection writes every table
        written: dict[str, tuple[date, date] | None] | None = {
            name: first and (first, last)
            for name, first, last in con.execute("SELECT name, first_week, last_week FROM built_tables").fetchall()}
    except duckdb.CatalogException:
        written = None
    files: dict[str, dict[str, str]] = {}
    for name in filter(SHARED.fullmatch, _published_tables(con)):
        files[name] = {}
        for part, rows in _parts(con, name, before.get(name), written):
            old = before.get(name, {}).get(part)
            if written is not None and old and (shared / old).exists() and not _rewritten(written, name, part):
                files[name][part] = old
                continue
            files[name][part] = f"{name}{part and '.' + part}.v{version}.parquet"
            (shared / files[name][part]).unlink(missing_ok=True)
            con.execute(f'COPY (FROM main."{name}" WHERE {rows}) TO ? (FORMAT parquet, COMPRESSION zstd)',
                        [str(shared / files[name][part])])
    write_snapshot(con, folder / f"v{version}.duckdb",
                   shared={name: [shared / f for _, f in sorted(parts.items())] for name, parts in files.items()})
    (folder / f"v{version}.json").write_text(json.dumps({"tables": files}, indent=1, sort_keys=True))
    tmp = folder / "CURRENT.tmp"
    tmp.write_text(str(version))
    os.replace(tmp, folder / "CURRENT")
    _retire(folder, version - keep)
    return version


def keep_versions() -> int:
    """[publish] keep_versions: how many snapshots publishing keeps (at least 2), else a ConfigError naming it."""
    return _whole_setting("publish", "keep_versions", 2, "of at least 2")


def _parts(con: duckdb.DuckDBPyConnection, name: str, before: dict[str, str] | None,
           written: dict[str, tuple[date, date] | None] | None) -> list[tuple[str, str]]:
    """(part, SQL condition selecting its rows) per file the table is published as: a weekly mart with rows one
    per month of week_start ('2026-03'), any other table one WHOLE. A weekly mart the build did not write, or
    refreshed for some weeks, has the previous snapshot's months and those weeks' months (a month left without
    rows is an empty file): no scan of the whole table."""
    if name not in build.WEEKLY_MARTS:
        return [(WHOLE, "true")]
    weeks = written.get(name) if written is not None else None
    if before and WHOLE not in before and written is not None and (name not in written or weeks is not None):
        months = set(before) | (_months_of(weeks) if weeks else set())
    else:
        months = {r[0] for r in con.execute(
            f"SELECT DISTINCT strftime(week_start, '%Y-%m') FROM main.\"{name}\"").fetchall()}
    return [(m, f"week_start >= DATE '{m}-01' AND week_start < DATE '{m}-01' + INTERVAL 1 MONTH")
            for m in sorted(months)] or [(WHOLE, "true")]


def _months_of(weeks: tuple[date, date]) -> set[str]:
    """'YYYY-MM' of every month from the first week's to the last week's."""
    (year, month), last = (weeks[0].year, weeks[0].month), (weeks[1].year, weeks[1].month)
    months = set()
    while (year, month) <= last:
        months.add(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _rewritten(written: dict[str, tuple[date, date] | None], name: str, part: str) -> bool:
    """Whether the build wrote the rows of `part` of table `name`: every part of a table it rebuilt, the months
    of the weeks it refreshed of a weekly mart."""
    if name not in written:
        return False
    weeks = written[name]
    return weeks is None or part == WHOLE or part in _months_of(weeks)


def _manifest(folder: Path, version: int) -> dict[str, dict[str, str]]:
    """Shared table -> {part: its file name}, as snapshot `version` uses them ({} for a snapshot without shared
    files)."""
    try:
        tables = json.loads((folder / f"v{version}.json").read_text())["tables"]
    except (FileNotFoundError, ValueError, KeyError):
        return {}
    # a snapshot published before weekly marts were split by month names one file per table
    return {name: files if isinstance(files, dict) else {WHOLE: files} for name, files in tables.items()}


def _retire(folder: Path, last: int) -> None:
    """Delete the snapshots up to version `last`, then every shared file no kept snapshot uses."""
    for old in [*folder.glob("v*.duckdb"), *folder.glob("v*.json")]:
        if old.stem[1:].isdigit() and int(old.stem[1:]) <= last:
            old.unlink(missing_ok=True)
    used = {file for kept in folder.glob("v*.json") if kept.stem[1:].isdigit()
            for parts in _manifest(folder, int(kept.stem[1:])).values() for file in parts.values()}
    for file in (folder / "tables").glob("*.parquet"):
        if file.name not in used:
            file.unlink(missing_ok=True)


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
        " AND table_catalog = current_database() AND NOT regexp_matches(table_name, '^(raw|stg)_') ORDER BY 1"
    ).fetchall()]


def write_snapshot(con: duckdb.DuckDBPyConnection, target: Path, *, shared: dict[str, list[Path]] | None = None
                   ) -> None:
    """`target`: a new DuckDB file with every table of `con` but raw_* and stg_* (marts, dims, cfg_*, the load
    log, warehouse_meta ...), the macros the dashboard's queries call, snapshot_info (code version, when written),
    source_rows (the raw layer's row count per source) and snapshot_tables (each table's row count). A table in
    `shared` is a view of its Parquet files instead of a copy (publish); a frozen month copies every table."""
    target.unlink(missing_ok=True)
    target.with_name(target.name + ".wal").unlink(missing_ok=True)  # a killed write's log must not be replayed
    names = _published_tables(con)
    shared = shared or {}
    con.execute("ATTACH ? AS snapshot", [str(target)])
    try:
        for name in names:
            if name in shared:
                files = ", ".join(map(_literal, shared[name]))
                con.execute(f'CREATE VIEW snapshot."{name}" AS FROM read_parquet([{files}])')
            else:
                con.execute(f'CREATE TABLE snapshot."{name}" AS SELECT * FROM main."{name}"')
        con.execute("CREATE TABLE snapshot.snapshot_info AS SELECT ? AS code_version, now() AS published_at",
                    [code_version()])
        con.execute("CREATE TABLE snapshot.source_rows AS " + " UNION ALL ".join(  # `pmo status` reads it
            f"SELECT '{name}' AS source, count(*) AS rows FROM main.{s.table}" for name, s in SOURCES.items()))
        con.execute("CREATE TABLE snapshot.snapshot_tables AS " + " UNION ALL ".join(  # the dashboard reads it
            f"SELECT '{name}' AS table_name, count(*) AS row_count FROM main.\"{name}\"" for name in names))
        home = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        con.execute("USE snapshot")  # the macros the dashboard's queries call (index_rag ...), made there
        try:
            con.execute(build.model_sql(build.PUBLISHED_MACROS))
        finally:
            con.execute(f'USE "{home}"')
    finally:
        con.execute("DETACH snapshot")


def _literal(path: Path) -> str:
    """A file path as a SQL string literal (a view's text cannot take a bound parameter)."""
    return "'" + str(path.resolve()).replace("'", "''") + "'"
