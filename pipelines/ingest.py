"""Load files into the warehouse: stage -> validate -> (one transaction) replace -> insert -> log.

Each file is staged into its own scratch DuckDB file next to the warehouse, validated there by the
great-expectations gate, and only then written to the warehouse in ONE transaction covering all the
sources the file holds. A file either lands whole (minus quarantined rows) or not at all.

Replacement rules, applied inside that transaction for every batch:
1. a file whose bytes were already loaded (same sha256, still active) is skipped: nothing changes;
2. a corrected export, i.e. a file with the same name and source as an earlier load, replaces all of
   that earlier load's rows (corrected_export);
3. snapshot sources (status, milestones, risks): the batch's as-of dates replace the rows of those
   as-of dates for the projects it covers (snapshot_as_of);
4. any remaining row with the same grain key as an incoming row is replaced (upsert by grain: same_grain).
Every replaced row is counted in load_replaced (later load, earlier load, rule), so for each load
rows_loaded - rows replaced later = its rows in the raw layer.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from contract.batch import InputError, Progress, StagedBatch
from contract.sources import LINEAGE_COLUMNS, LOAD_ORDER, MONEY, NUMBER, SOURCES
from pipelines import warehouse

if TYPE_CHECKING:
    from pipelines.build import Changes
    from pipelines.formats.schedule import Known

POLL_SECONDS = 0.2
LOADED, QUARANTINED, UNCHANGED, REJECTED = "loaded", "loaded_with_quarantine", "unchanged", "rejected"


@dataclass
class LoadResult:
    """What happened to one source of one file."""

    file: str
    source: str | None
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""
    load_id: str | None = None
    checks: list[dict] = field(default_factory=list)
    work_dates: tuple[date, date] | None = None  # timesheets: first and last work date the load added or replaced

    @property
    def failed(self) -> bool:
        return self.status == REJECTED


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the files inside named folders (sorted, hidden files skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return files


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_paths(paths: Iterable[Path], *, source: str | None = None, as_of: date | None = None,
                 strict: bool = False, mapping: str | None = None, baseline: bool = False, sheet: str | None = None,
                 db: Path, progress: Progress | None = None) -> list[LoadResult]:
    """Load every file (folders expanded) into the warehouse `db`, referenced sources first; rebuild and publish
    the marts once. Holds the writer lock throughout, so the cross-file checks see every earlier load's commit."""
    files = sorted(expand(paths), key=_load_rank)
    with warehouse.writing(db, f"loading {load_names(files)}"):
        with warehouse.connect(db):  # create the file and schema before any scratch connection attaches it
            pass
        clean_scratch(db)
        owed = _build_owed(db)
        results: list[LoadResult] = []
        for path in files:
            results += _ingest_file(path, db=db, source=source, as_of=as_of, strict=strict, mapping=mapping,
                                    sheet=sheet, baseline=baseline, progress=progress or (lambda *_: None))
        if owed or any(r.status in (LOADED, QUARANTINED, REJECTED) for r in results):
            # a rejection is news too: the Data-quality page shows it
            rebuild(db, progress=progress, changes=None if owed else _changes(results))
    return results


def _changes(results: list[LoadResult]) -> Changes:
    """What the loads wrote, for an incremental build."""
    from pipelines.build import Changes

    written = [r for r in results if r.status in (LOADED, QUARANTINED) and r.source]
    days = [d for r in written if r.work_dates for d in r.work_dates]
    return Changes(frozenset(str(r.source) for r in written), (min(days), max(days)) if days else None)


def load_names(files: list[Path], shown: int = 3) -> str:
    """"a.csv, b.csv, c.csv and 4 more": what a load is busy with, for whoever waits for it."""
    names = ", ".join(f.name for f in files[:shown])
    return names + (f" and {len(files) - shown} more" if len(files) > shown else "") if files else "nothing"


def rebuild(db: Path, *, progress: Progress | None = None, changes: Changes | None = None) -> dict[str, int]:
    """Rebuild staging and marts from raw in one transaction (only what `changes` affects, when given), then
    publish a snapshot for readers."""
    from pipelines.build import build

    if progress:
        progress("building marts")
    warehouse.keep_versions()  # a bad [publish] setting is refused before the build, not after its commit
    with warehouse.writing(db, "building the marts"), warehouse.connect(db) as con:
        con.execute("BEGIN")
        try:
            counts = build(con, changes=changes)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        warehouse.publish(con, db)
    return counts


def finish_owed_build(db: Path, *, notify: Progress | None = None) -> str | None:
    """Rebuild and publish when a killed or crashed process left the published snapshot behind the raw layer
    (or it was built by other code); returns why, None when nothing was owed. No warehouse, nothing to do."""
    if not db.exists():
        return None
    with warehouse.writing(db, "finishing an owed build", notify=notify):
        if owed := _build_owed(db):
            if notify:
                notify(f"{owed}: rebuilding the marts …")
            rebuild(db)
    return owed


def _build_owed(db: Path) -> str | None:
    """Read-only (other processes may be reading the warehouse too): why a build is owed, None when it is not."""
    with duckdb.connect(str(db), read_only=True) as con:
        try:
            loaded = con.execute("SELECT count(*) FROM load_log").fetchone()[0]  # type: ignore[index]
        except duckdb.CatalogException:  # created, never loaded
            return None
        return warehouse.published_behind(con, db) if loaded else None


def _load_rank(path: Path) -> tuple[int, str]:
    """Referenced sources (projects, people) load before the files that point at them."""
    stem = path.stem.lower()
    for rank, name in enumerate(LOAD_ORDER):
        if stem.startswith(name.rstrip("s")):
            return rank, path.name
    return len(LOAD_ORDER), path.name


def scratch_dir(db: Path) -> Path:
    return db.parent / "staging"


_IN_USE: set[Path] = set()  # this process's scratch files (DuckDB does not lock a file against its own process)


def clean_scratch(db: Path) -> list[Path]:
    """Delete scratch files a killed or crashed load left behind; a file another process is loading into is
    locked and stays. Returns what was deleted."""
    gone = []
    for scratch in sorted(scratch_dir(db).glob("*.duckdb")):
        if scratch in _IN_USE:
            continue
        try:
            duckdb.connect(str(scratch)).close()
        except duckdb.Error:  # locked by a running load (or not a database we can open): leave it
            continue
        scratch.unlink(missing_ok=True)
        scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)
        shutil.rmtree(scratch.with_suffix(".duckdb.tmp"), ignore_errors=True)
        gone.append(scratch)
    return gone


# --- one file ------------------------------------------------------------------------------------

def _ingest_file(path: Path, *, db: Path, progress: Progress, **options) -> list[LoadResult]:
    name = path.name
    scratch = scratch_dir(db) / f"{uuid.uuid4().hex}.duckdb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    _IN_USE.add(scratch)
    con = duckdb.connect(str(scratch), config=warehouse.database_config())
    digest = ""
    watch = _StatementProgress(con, progress)
    progress = watch.phase
    try:
        if not path.is_file():
            raise InputError(name, "file_missing", "no such file")
        digest = file_hash(path)
        if done := _already_loaded(con, db, digest):
            return [LoadResult(name, src, UNCHANGED, message=f"already loaded as {load_id}; nothing changed",
                               load_id=load_id) for load_id, src in done]
        progress(f"{name}: reading")
        from pipelines.intake import stage_file

        batches = sorted(stage_file(con, path, source=options["source"], as_of=options["as_of"],
                                    mapping=options["mapping"], baseline=options["baseline"], sheet=options["sheet"],
                                    known=_known_in(db), progress=progress),
                         key=lambda b: LOAD_ORDER.index(b.source))
        progress(f"{name}: validating")
        reports = _validate(con, scratch, db, batches)
        results = [_result(b, r, options["strict"]) for b, r in zip(batches, reports, strict=True)]
        load_ids = [uuid.uuid4().hex[:16] for _ in batches]
        if any(r.failed for r in results):
            for r in results:
                if not r.failed:
                    r.status, r.rows_loaded, r.rows_quarantined = REJECTED, 0, 0
                    r.message = "not loaded: another source in the same file was rejected"
            _log_rejection(con, db, batches, reports, results, load_ids, digest)
            return results
        progress(f"{name}: writing")
        _write(con, db, batches, reports, results, load_ids, digest)
        return results
    except InputError as err:
        result = LoadResult(name, options["source"], REJECTED, message=str(err), load_id=uuid.uuid4().hex[:16])
        if digest:
            with _attached(con, db, read_only=False):
                con.execute("BEGIN")
                _log(con, name, result.source or "unknown", None, result, digest, [])
                warehouse.bump_raw_version(con, "wh")
                con.execute("COMMIT")
        return [result]
    except duckdb.IOException as err:
        if "lock" in str(err).lower():  # pmo's own writers queue on warehouse.writing; this is another program
            return [LoadResult(name, options["source"], REJECTED, message=f"{name}: not loaded, the warehouse file "
                               "is open in another program (a DuckDB shell?); close it and load again")]
        raise
    finally:
        watch.stop()
        con.close()
        scratch.unlink(missing_ok=True)
        shutil.rmtree(scratch.with_suffix(".duckdb.tmp"), ignore_errors=True)
        _IN_USE.discard(scratch)


class _StatementProgress:
    """Reports the phase of a file's load, and while a long statement runs on `con` (reading, typing, writing a
    large file) its percentage, polled from DuckDB's own progress estimate by a background thread."""

    def __init__(self, con: duckdb.DuckDBPyConnection, report: Progress):
        self.con, self.report, self.message = con, report, ""
        con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false; "
                    "SET progress_bar_time = 0")
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="ingest-progress", daemon=True)
        self._thread.start()

    def phase(self, message: str, percent: float | None = None, /) -> None:
        self.message = message
        self.report(message, percent)

    def _poll(self) -> None:
        while not self._done.wait(POLL_SECONDS):
            percent = self.con.query_progress()
            if percent >= 0 and self.message:
                self.report(self.message, min(percent, 100.0))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _known_in(db: Path) -> Known:
    """What the warehouse holds of a project, for a schedule update (formats.schedule.stored_in). Opened read-only
    per project, so staging a file never holds the warehouse open."""
    from pipelines.formats.schedule import Stored, stored_in

    def known(project_id: str, data_date: date) -> Stored:
        if not db.is_file():
            return Stored()
        with duckdb.connect(str(db), read_only=True) as con:
            return stored_in(con, project_id, data_date)

    return known


def _already_loaded(con: duckdb.DuckDBPyConnection, db: Path, digest: str) -> list[tuple[str, str]]:
    with _attached(con, db, read_only=True):
        return con.execute("SELECT load_id, source FROM wh.load_log WHERE file_hash = ? AND status IN (?, ?)"
                           " ORDER BY source", [digest, LOADED, QUARANTINED]).fetchall()


class _attached:
    """ATTACH the warehouse to the scratch connection as `wh` for the duration of a block."""

    def __init__(self, con: duckdb.DuckDBPyConnection, db: Path, *, read_only: bool):
        self.con, self.db, self.read_only = con, db, read_only

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        self.con.execute(f"ATTACH ? AS wh{' (READ_ONLY)' if self.read_only else ''}", [str(self.db)])
        return self.con

    def __exit__(self, *_exc) -> None:
        self.con.execute("DETACH wh")


# --- validation ----------------------------------------------------------------------------------

def _validate(con: duckdb.DuckDBPyConnection, scratch: Path, db: Path, batches: list[StagedBatch]) -> list:
    from checks.gate import run_gate

    with _attached(con, db, read_only=True):
        _reference_tables(con, batches)
    return [run_gate(con, scratch, batch) for batch in batches]


def _reference_tables(con: duckdb.DuckDBPyConnection, batches: list[StagedBatch]) -> None:
    """What the gate's referential and cross-source rules compare with: the warehouse as it will be,
    i.e. plus this file's own projects/people and minus the rows this file will replace."""
    by_source = {b.source: b for b in batches}
    own_projects = (f"UNION SELECT project_id, budget_at_completion FROM {by_source['projects'].table}"
                    if "projects" in by_source else "")
    own_people = f"UNION SELECT employee_id FROM {by_source['people'].table}" if "people" in by_source else ""
    con.execute(f"CREATE OR REPLACE TABLE ref_projects AS "
                f"SELECT project_id, budget_at_completion FROM wh.raw_projects {own_projects}")
    con.execute(f"CREATE OR REPLACE TABLE ref_people AS SELECT employee_id FROM wh.raw_people {own_people}")
    con.execute("CREATE OR REPLACE TABLE ref_person_day_hours "
                f"(employee_id VARCHAR, work_date DATE, hours {NUMBER})")
    con.execute(f"CREATE OR REPLACE TABLE ref_budget_periods (project_id VARCHAR, planned_cost {MONEY})")
    if ts := by_source.get("timesheets"):
        con.execute(f"""
            INSERT INTO ref_person_day_hours
            SELECT t.employee_id, t.work_date, sum(t.hours) FROM wh.raw_timesheets t
            SEMI JOIN (SELECT DISTINCT employee_id, work_date FROM {ts.table}) d USING (employee_id, work_date)
            WHERE t._source_file <> ? AND NOT EXISTS (
                SELECT 1 FROM {ts.table} b WHERE {_grain_match('b', 't', 'timesheets')})
            GROUP BY ALL""", [ts.file_name])
    if bud := by_source.get("budgets"):
        con.execute(f"""
            INSERT INTO ref_budget_periods
            SELECT t.project_id, sum(t.planned_cost) FROM wh.raw_budgets t
            WHERE t._source_file <> ? AND NOT EXISTS (
                SELECT 1 FROM {bud.table} b WHERE {_grain_match('b', 't', 'budgets')})
            GROUP BY ALL""", [bud.file_name])


def _result(batch: StagedBatch, report, strict: bool) -> LoadResult:
    checks = [{"rule": c.rule, "expectation": c.expectation, "column": c.column, "severity": c.severity,
               "success": c.success, "unexpected_count": c.unexpected_count, "examples": c.examples}
              for c in report.results]
    failing = [c for c in report.results if not c.success and c.severity in ("structural", "row")]
    result = LoadResult(batch.file_name, batch.source, LOADED, rows_read=batch.rows, checks=checks)
    if report.structural_failures:
        first = report.structural_failures[0]
        result.status = REJECTED
        result.message = (f"{batch.file_name}: {f'column {first.column!r}: ' if first.column else ''}"
                          f"{first.rule} failed ({first.examples or 'structural'}); nothing loaded")
    elif strict and (failed := [c for c in report.results if not c.success]):
        # --strict: any failed check rejects, warnings and withheld cells included
        result.status = REJECTED
        result.message = f"{batch.file_name}: --strict and failed checks {_rules_summary(failed)}; nothing loaded"
    elif report.quarantined_rows:
        result.status = QUARANTINED
        result.rows_quarantined = report.quarantined_rows
        result.rows_loaded = batch.rows - report.quarantined_rows
        result.message = f"loaded with {report.quarantined_rows} quarantined: {_rules_summary(failing)}"
    else:
        result.rows_loaded = batch.rows
        result.message = "loaded"
    if report.quarantined_cells and result.status != REJECTED:
        cells = [c for c in report.results if not c.success and c.severity == "cell"]
        result.message += (f"; {report.quarantined_cells} cell(s) kept in quarantine, loaded empty: "
                           f"{_rules_summary(cells)}")
    return result


def _rules_summary(checks: list) -> str:
    return "; ".join(f"{c.rule} x{c.unexpected_count}" + (f" (e.g. {c.examples})" if c.examples else "")
                     for c in checks)


# --- writing -------------------------------------------------------------------------------------

def _write(con: duckdb.DuckDBPyConnection, db: Path, batches: list[StagedBatch], reports: list,
           results: list[LoadResult], load_ids: list[str], digest: str) -> None:
    with _attached(con, db, read_only=False):
        con.execute("BEGIN")
        try:
            for batch, report, result, load_id in zip(batches, reports, results, load_ids, strict=True):
                result.load_id = load_id
                replaced = _replace_rows(con, batch, load_id)
                _insert_rows(con, batch, report, load_id, digest)
                if batch.source == "timesheets":
                    added = con.execute(f"SELECT min(work_date), max(work_date) FROM {batch.table}").fetchone()
                    days = [d for d in (*replaced, *(added or ())) if d]
                    result.work_dates = (min(days), max(days)) if days else None
                _log(con, batch.file_name, batch.source, batch.as_of_date, result, digest, report.results)
            warehouse.bump_raw_version(con, "wh")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def _log_rejection(con, db: Path, batches, reports, results, load_ids, digest) -> None:
    """A rejected file changes no data; the attempt and its check results are recorded for the DQ page."""
    with _attached(con, db, read_only=False):
        con.execute("BEGIN")
        for batch, report, result, load_id in zip(batches, reports, results, load_ids, strict=True):
            result.load_id = load_id
            _log(con, batch.file_name, batch.source, batch.as_of_date, result, digest, report.results)
        warehouse.bump_raw_version(con, "wh")
        con.execute("COMMIT")


def _grain_match(new: str, old: str, source: str) -> str:
    return " AND ".join(f"{new}.{c} IS NOT DISTINCT FROM {old}.{c}" for c in SOURCES[source].grain)


def _replace_rows(con: duckdb.DuckDBPyConnection, batch: StagedBatch, load_id: str) -> list[date]:
    """Delete what this batch supersedes (rules 2-4 of the module docstring), recording in load_replaced how many
    rows of which earlier load each rule replaced; return the first and last work date of the replaced rows
    (timesheets; an incremental build refreshes their weeks)."""
    source = SOURCES[batch.source]
    dates = "min(t.work_date), max(t.work_date)" if batch.source == "timesheets" else "NULL, NULL"
    days: list[date] = []
    raw = f"wh.{source.table}"
    previous = [r[0] for r in con.execute(
        "SELECT load_id FROM wh.load_log WHERE source = ? AND file_name = ? AND status IN (?, ?)",
        [batch.source, batch.file_name, LOADED, QUARANTINED]).fetchall()]
    rules = [("snapshot_as_of", f"EXISTS (SELECT 1 FROM {batch.table} b WHERE b.project_id = t.project_id "
                                "AND b.as_of_date = t.as_of_date)")] if source.snapshot else []
    rules.append(("same_grain", f"EXISTS (SELECT 1 FROM {batch.table} b WHERE {_grain_match('b', 't', batch.source)})"))
    if previous:
        con.execute("DELETE FROM wh.quarantine WHERE list_contains($previous, load_id)", {"previous": previous})
        rules.insert(0, ("corrected_export", "list_contains($previous, t._load_id)"))
    for rule, where in rules:
        bound = {"previous": previous} if "$previous" in where else {}
        replaced = con.execute(f"SELECT t._load_id, count(*), {dates} FROM {raw} t WHERE {where} "
                               "GROUP BY t._load_id ORDER BY t._load_id", bound).fetchall()
        if replaced:
            con.executemany("INSERT INTO wh.load_replaced VALUES (?, ?, ?, ?, ?)",
                            [[load_id, earlier, batch.source, rule, rows] for earlier, rows, *_ in replaced])
        days += [d for *_, first, last in replaced for d in (first, last) if d]
        con.execute(f"DELETE FROM {raw} t WHERE {where}", bound)
    # Earlier loads of this source with no rows left are superseded.
    con.execute(f"""UPDATE wh.load_log SET status = 'superseded',
                        message = message || ' (superseded by ' || ? || ')'
                    WHERE source = ? AND status IN (?, ?) AND rows_loaded > 0
                      AND load_id NOT IN (SELECT DISTINCT _load_id FROM {raw})""",
                [load_id, batch.source, LOADED, QUARANTINED])
    return days


def _insert_rows(con: duckdb.DuckDBPyConnection, batch: StagedBatch, report, load_id: str, digest: str) -> None:
    source = SOURCES[batch.source]
    columns = ", ".join(c.name for c in source.columns)
    lineage = ", ".join(LINEAGE_COLUMNS)
    con.execute(f"""INSERT INTO wh.{source.table} ({columns}, {lineage})
                    SELECT {columns}, ?, ?, ?, _source_row FROM {batch.table}
                    ANTI JOIN (SELECT _source_row FROM {report.failures_table} WHERE NOT row_loaded)
                        USING (_source_row)""",
                [load_id, batch.file_name, digest])
    con.execute(f"""INSERT INTO wh.quarantine
                    SELECT ?, ?, ?, f._source_row, f.rule, f.column_name, to_json(b), f.row_loaded
                    FROM {report.failures_table} f JOIN {batch.table} b USING (_source_row)""",
                [load_id, batch.source, batch.file_name])


def _log(con: duckdb.DuckDBPyConnection, file_name: str, source: str, as_of: date | None, result: LoadResult,
         digest: str, checks: list) -> None:
    now = datetime.now()
    con.execute("INSERT INTO wh.load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [result.load_id, source, file_name, digest, as_of, now, result.status,
                 result.rows_read, result.rows_loaded, result.rows_quarantined, result.message])
    if checks:
        con.executemany("INSERT INTO wh.gate_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [[result.load_id, source, file_name, c.expectation, c.rule, c.column, c.severity,
                          c.success, c.unexpected_count, c.examples, now] for c in checks])
