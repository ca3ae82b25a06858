"""`pmo ingest` end to end: clean loads, every kind of bad input, idempotency, corrections, atomicity."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import sample_files as sf
import xlsxwriter

import pipelines.ingest as ingest
from contract import settings
from contract.sources import SOURCES
from pipelines.cli import main as pmo

AUDIT = {"load_log", "gate_results", "warehouse_meta"}  # record every attempt, rejected ones included


def dump(db: Path, *, skip: set[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every table's full contents, order-independent."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names if n not in skip}
    finally:
        con.close()


def count(db: Path, sql: str, params: list | None = None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def reference_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the clean projects and people files (what other sources refer to)."""
    folder = tmp_path_factory.mktemp("reference")
    db = folder / "pmo.duckdb"
    files = [sf.write(folder / "in", s) for s in ("projects", "people")]
    results = ingest.ingest_paths(files, db=db)
    assert [r.status for r in results] == ["loaded", "loaded"], [r.message for r in results]
    return db


@pytest.fixture
def loaded(reference_warehouse: Path, warehouse_db: Path) -> Path:
    """A private copy of the reference warehouse at PMO_DB."""
    warehouse_db.parent.mkdir(parents=True)
    shutil.copy(reference_warehouse, warehouse_db)
    return warehouse_db


def test_every_clean_source_loads(warehouse_db: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "in"
    for source in SOURCES:
        sf.write(folder, source)
    assert pmo(["ingest", str(folder)]) == 0, capsys.readouterr()
    for source in SOURCES:
        expected = len(sf.rows(source)) - 1
        assert count(warehouse_db, f"SELECT count(*) FROM raw_{source}") == expected, source
    assert count(warehouse_db, "SELECT count(*) FROM quarantine") == 0
    lineage = duckdb.connect(str(warehouse_db), read_only=True).execute(
        "SELECT _source_file, _source_row, length(_file_hash), _load_id IS NOT NULL FROM raw_timesheets "
        "WHERE employee_id = 'E2'").fetchall()
    assert lineage == [("timesheets.csv", 3, 64, True)]


def _bad_cases() -> list[tuple[str, str, str, bool]]:
    """(source, case, file text, needs --strict): structural failures reject on their own; row-level
    failures quarantine, and reject under --strict."""
    cases = []
    for source in SOURCES:
        header = sf.CLEAN[source].splitlines()[0] + "\n"
        required = next(c.name for c in SOURCES[source].columns if c.required and c.name != "project_id")
        cases += [
            (source, "empty", "", False),
            (source, "header_only", header, False),
            (source, "missing_column", sf.without_column(source, required), False),
            (source, "wrong_type", sf.with_column(source, sf.TYPED_COLUMN[source], "not-a-value"),
             not SOURCES[source].column(sf.TYPED_COLUMN[source]).required),
            (source, "duplicate_grain", sf.duplicated_grain(source), True),
        ]
        if source in sf.DATE_COLUMN:
            cases.append((source, "ambiguous_date", sf.ambiguous_dates(source), False))
        if "project_id" in SOURCES[source].references:
            cases.append((source, "unknown_project", sf.with_column(source, "project_id", "P404"), True))
    cases.append(("timesheets", "unknown_employee", sf.with_column("timesheets", "employee_id", "E404"), True))
    cases.append(("timesheets", "hours_over_24", sf.with_column("timesheets", "hours", "25"), True))
    cases.append(("timesheets", "person_day_over_24",  # two valid rows, 26 h on one day together
                  "employee_id,project_id,work_date,hours\nE1,P1,2026-03-02,13\nE1,P2,2026-03-02,13\n", True))
    return cases


@pytest.mark.parametrize(("source", "case", "text", "strict"), _bad_cases(),
                         ids=[f"{s}-{c}" for s, c, _, _ in _bad_cases()])
def test_bad_file_is_rejected_with_one_line_and_warehouse_unchanged(
        loaded: Path, tmp_path: Path, capsys, source: str, case: str, text: str, strict: bool) -> None:
    path = sf.write(tmp_path / "in", source, text)
    before = dump(loaded, skip=AUDIT)
    args = ["ingest", str(path), "--source", source] + (["--strict"] if strict else [])
    assert pmo(args) == 1
    assert dump(loaded, skip=AUDIT) == before
    out = capsys.readouterr()
    reason = [line for line in out.err.splitlines() if path.name in line]
    assert len(reason) == 1 and "Traceback" not in out.err + out.out, out
    assert count(loaded, "SELECT status FROM load_log ORDER BY loaded_at DESC LIMIT 1") == "rejected"


GARBAGE = bytes(range(256)) * 64 + b"PK\x03\x04\x00\x00garbage"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_binary_garbage_is_rejected_with_one_line_and_warehouse_unchanged(
        loaded: Path, tmp_path: Path, capsys, source: str, suffix: str) -> None:
    path = tmp_path / f"{source}{suffix}"
    path.write_bytes(GARBAGE)
    before = dump(loaded, skip=AUDIT)
    assert pmo(["ingest", str(path), "--source", source]) == 1
    assert dump(loaded, skip=AUDIT) == before
    out = capsys.readouterr()
    reason = [line for line in out.err.splitlines() if path.name in line]
    assert len(reason) == 1 and "Traceback" not in out.err + out.out, out


def test_text_that_looks_like_markup_is_printed_literally(loaded: Path, tmp_path: Path, capsys) -> None:
    # File names, headers and cells are the user's text: `[/h]` or `[bold]` must neither crash nor vanish
    path = sf.write(tmp_path / "in", "risks", sf.CLEAN["risks"].replace("Vendor delay", "[/x] delay")
                    .replace(",4,4,open,", ",4,9,open,"), name="risks[bold].csv")
    assert pmo(["ingest", str(path), "--source", "risks"]) == 0
    out = capsys.readouterr()
    assert "risks[bold].csv" in out.out and "impact_between_1_and_5" in out.out and "Traceback" not in out.err
    unknown = tmp_path / "in" / "rates.csv"
    unknown.write_text("Rate [/h],Who\n12,Ann\n", encoding="utf-8")
    assert pmo(["ingest", str(unknown)]) == 1
    err = capsys.readouterr().err
    assert "Rate [/h]" in err and "[unknown_source]" in err and "Traceback" not in err


@pytest.mark.parametrize(("case", "text", "rule"), [
    ("unknown_employee", sf.with_column("timesheets", "employee_id", "E404"), "employee_id"),
    ("hours_over_24", "employee_id,project_id,work_date,hours\nE1,P1,2026-03-02,25\nE1,P2,2026-03-03,7\n", "hours"),
    ("duplicate_grain", sf.duplicated_grain("timesheets"), "grain"),
])
def test_row_failures_are_quarantined_with_row_and_rule(loaded: Path, tmp_path: Path, case: str, text: str,
                                                        rule: str) -> None:
    path = sf.write(tmp_path / "in", "timesheets", text)
    [result] = ingest.ingest_paths([path], db=loaded)
    assert result.status == "loaded_with_quarantine", result.message
    con = duckdb.connect(str(loaded), read_only=True)
    quarantined = con.execute("SELECT source_row, rule, record FROM quarantine ORDER BY source_row").fetchall()
    loaded_rows = con.execute("SELECT count(*) FROM raw_timesheets").fetchone()[0]
    assert quarantined and all(rule in r[1] for r in quarantined), quarantined
    assert loaded_rows + len({r[0] for r in quarantined}) == result.rows_read
    if case == "hours_over_24":
        assert [r[0] for r in quarantined] == [1] and '"hours":25' in quarantined[0][2].replace(" ", "")


def test_same_file_twice_leaves_the_warehouse_identical(loaded: Path, tmp_path: Path) -> None:
    path = sf.write(tmp_path / "in", "timesheets")
    ingest.ingest_paths([path], db=loaded)
    first = dump(loaded)
    [again] = ingest.ingest_paths([path], db=loaded)
    assert again.status == "unchanged"
    assert dump(loaded) == first


def test_corrected_export_replaces_the_rows_it_corrects(loaded: Path, tmp_path: Path) -> None:
    path = sf.write(tmp_path / "in", "timesheets")
    ingest.ingest_paths([path], db=loaded)
    corrected = "employee_id,project_id,work_date,hours,activity,billable\nE1,P1,2026-03-02,6,build,yes\n"
    path.write_text(corrected)
    [result] = ingest.ingest_paths([path], db=loaded)
    assert result.status == "loaded"
    con = duckdb.connect(str(loaded), read_only=True)
    assert con.execute("SELECT employee_id, project_id, hours FROM raw_timesheets").fetchall() == [("E1", "P1", 6.0)]
    assert con.execute("SELECT status FROM load_log WHERE source = 'timesheets' ORDER BY loaded_at").fetchall() == [
        ("superseded",), ("loaded",)]


def test_snapshots_keep_history_and_a_corrected_snapshot_replaces_its_as_of(loaded: Path, tmp_path: Path) -> None:
    header = "project_id,risk_id,title,probability,impact,status\n"
    october = sf.write(tmp_path / "in", "risks", header + "P1,R1,Vendor,2,2,open\nP1,R2,Skills,3,3,open\n",
                       name="risks_2026-10.csv")
    november = sf.write(tmp_path / "in", "risks", header + "P1,R1,Vendor,4,4,open\n", name="risks_2026-11-30.csv")
    ingest.ingest_paths([october, november], db=loaded)
    fixed = sf.write(tmp_path / "in", "risks", header + "P1,R1,Vendor,3,2,open\n", name="risks_fixed_2026-10-31.csv")
    ingest.ingest_paths([fixed], db=loaded)
    con = duckdb.connect(str(loaded), read_only=True)
    assert con.execute("SELECT as_of_date::VARCHAR, risk_id, probability FROM raw_risks ORDER BY 1, 2").fetchall() == [
        ("2026-10-31", "R1", 3), ("2026-11-30", "R1", 4)]


def test_a_failure_after_the_delete_leaves_the_warehouse_unchanged(loaded: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = sf.write(tmp_path / "in", "timesheets")
    ingest.ingest_paths([path], db=loaded)
    before = dump(loaded)
    path.write_text("employee_id,project_id,work_date,hours\nE1,P1,2026-03-02,6\n")
    steps = []
    real_replace = ingest._replace_rows

    def replace(*args, **kwargs):
        real_replace(*args, **kwargs)
        steps.append("old rows deleted")

    def insert(*_args, **_kwargs):
        steps.append("insert")
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(ingest, "_replace_rows", replace)
    monkeypatch.setattr(ingest, "_insert_rows", insert)
    with pytest.raises(RuntimeError, match="injected"):
        ingest.ingest_paths([path], db=loaded)
    assert steps == ["old rows deleted", "insert"]
    assert dump(loaded) == before


def test_gb18030_with_chinese_headers_and_semicolon_cp1252(loaded: Path, tmp_path: Path) -> None:
    chinese = tmp_path / "工时_2026-03.csv"
    chinese.write_bytes("员工编号,项目编号,工作日期,工时,活动\nE1,P1,2026-03-02,7.5,开发\nE2,P2,2026-03-03,3,测试\n"
                        .encode("gb18030"))
    western = tmp_path / "lessons_export.csv"
    western.write_bytes("lesson_id;project_id;recorded_date;category;description\n"
                        "L9;P2;2026-03-01;supplier;Café supplier's invoices arrived late – 3 weeks\n"
                        .encode("cp1252"))
    results = ingest.ingest_paths([chinese, western], db=loaded)
    assert [r.status for r in results] == ["loaded", "loaded"], [r.message for r in results]
    con = duckdb.connect(str(loaded), read_only=True)
    assert con.execute("SELECT employee_id, hours, activity FROM raw_timesheets ORDER BY 1").fetchall() == [
        ("E1", 7.5, "开发"), ("E2", 3.0, "测试")]
    assert con.execute("SELECT description FROM raw_lessons").fetchone()[0] == (
        "Café supplier's invoices arrived late – 3 weeks")


def test_no_traceback_reaches_the_user(warehouse_db: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "export.csv"
    garbage.write_bytes(bytes(range(256)) * 40)
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(garbage)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "export.csv" in proc.stderr


def test_usage_errors_exit_2(warehouse_db: Path, tmp_path: Path) -> None:
    assert pmo(["ingest", str(tmp_path / "nope.csv")]) == 2
    with pytest.raises(SystemExit) as exit_:
        pmo(["ingest", "--source", "nonsense", str(tmp_path)])
    assert exit_.value.code == 2


def test_status_lists_all_twelve_sources_after_demo(demo_db: Path, capsys) -> None:
    assert pmo(["status"]) == 0
    out = capsys.readouterr().out
    for source in SOURCES:
        line = next(line for line in out.splitlines() if line.startswith(f"│ {source} "))
        assert any(ch.isdigit() and ch != "0" for ch in line.split("│")[2]), line
    assert "loaded" in out and "age (days)" in out


def test_a_large_file_reports_the_percentage_of_its_long_statements(loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "timesheets.csv"
    duckdb.sql("SELECT 'E1' AS employee_id, 'P1' AS project_id, DATE '2025-01-01' + CAST(i % 300 AS INTEGER) "
               "AS work_date, 1 AS hours, 'a' || i AS activity FROM range(1500000) t(i)").write_csv(str(path))
    seen: list[tuple[str, float | None]] = []
    [result] = ingest.ingest_paths([path], db=loaded,
                                   progress=lambda message, percent=None: seen.append((message, percent)))
    assert result.status in ("loaded", "loaded_with_quarantine"), result.message
    phases = [m for m, p in seen if p is None]
    assert phases[:2] == ["timesheets.csv: reading", "timesheets.csv: typing 1,500,000 timesheets rows"]
    percents = [(m, p) for m, p in seen if p is not None]
    assert percents and all(0 <= p <= 100 for _, p in percents), seen
    assert {m for m, _ in percents} <= set(phases)


def test_a_row_with_more_fields_than_the_header_is_quarantined_not_cut(loaded: Path, tmp_path: Path) -> None:
    """An unquoted comma in an activity: the row is quarantined with all it said; the others load."""
    text = ("employee_id,project_id,work_date,hours,activity,billable\n"
            "E1,P1,2026-03-02,8,build,yes\n"
            "E1,P2,2026-03-03,2,design, review with the client,no\n"
            "E2,P1,2026-03-03,4,test,yes\n")
    path = sf.write(tmp_path / "in", "timesheets", text)
    (result,) = ingest.ingest_paths([path], db=loaded)
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded_with_quarantine", 2, 1)
    con = duckdb.connect(str(loaded), read_only=True)
    row, record = con.execute("SELECT source_row, record FROM quarantine WHERE rule = 'row_has_no_extra_fields'"
                              ).fetchone()
    con.close()
    assert row == 2 and '"_extra_fields":"no"' in record.replace(" ", "") and "review with the client" in record
    assert count(loaded, "SELECT count(*) FROM raw_timesheets") == 2
    other_day = text.replace("2026-03-03,4", "2026-03-04,4")  # another file: not "unchanged"
    (strict,) = ingest.ingest_paths([sf.write(tmp_path / "strict", "timesheets", other_day)], strict=True, db=loaded)
    assert strict.status == "rejected"


def test_scratch_a_killed_load_left_is_cleaned_by_the_next_run_but_not_a_running_one(loaded: Path,
                                                                                      tmp_path: Path) -> None:
    staging = ingest.scratch_dir(loaded)
    staging.mkdir(exist_ok=True)
    left = staging / "0123456789abcdef.duckdb"  # what `kill -9` during a load leaves
    duckdb.connect(str(left)).execute("CREATE TABLE batch_timesheets AS SELECT 1 AS x").close()
    running = staging / "fedcba9876543210.duckdb"  # another process is loading into this one right now
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); sys.stdin.read()", str(running)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        (result,) = ingest.ingest_paths([sf.write(tmp_path / "in", "budgets")], db=loaded)
        assert result.status == "loaded"
        assert not left.exists() and running.exists()
    finally:
        holder.communicate("")
    assert ingest.clean_scratch(loaded) == [running]  # once that load has ended


def test_a_line_over_the_length_limit_is_quarantined_and_the_rest_loads(loaded: Path, tmp_path: Path) -> None:
    """[limits] csv_max_line_bytes = 1,048,576: a 2 MB line (one huge cell) is set aside, traceably."""
    huge = "E1,P2,2026-03-03,2," + "x" * 2_000_000 + ",no"
    text = (f"employee_id,project_id,work_date,hours,activity,billable\nE1,P1,2026-03-02,8,build,yes\n{huge}\n"
            "E2,P1,2026-03-03,4,test,yes\n")
    (result,) = ingest.ingest_paths([sf.write(tmp_path / "in", "timesheets", text)], db=loaded)
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded_with_quarantine", 2, 1)
    with duckdb.connect(str(loaded), read_only=True) as con:
        assert con.execute("SELECT employee_id, activity FROM raw_timesheets ORDER BY _source_row").fetchall() == \
            [("E1", "build"), ("E2", "test")]
        row, record = con.execute("SELECT source_row, record FROM quarantine WHERE rule = 'line_within_length_limit'"
                                  ).fetchone()
    digest = hashlib.sha256(f"{huge}\n".encode()).hexdigest()
    assert row == 2
    assert f"line 3: 2,000,023 bytes, over the limit of 1,048,576 ([limits] csv_max_line_bytes); sha256 {digest}; " \
           f"begins: E1,P2,2026-03-03,2,xxx" in json.loads(record)["_overlong_line"]


def test_a_cell_over_the_length_limit_quarantines_its_row(loaded: Path, tmp_path: Path) -> None:
    """[limits] max_cell_chars = 32,767 (an Excel cell's limit): a 40,000-character activity."""
    text = ("employee_id,project_id,work_date,hours,activity,billable\nE1,P1,2026-03-02,8,build,yes\n"
            f"E2,P1,2026-03-03,4,{'y' * 40_000},yes\n")
    (result,) = ingest.ingest_paths([sf.write(tmp_path / "in", "timesheets", text)], db=loaded)
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded_with_quarantine", 1, 1)
    check = next(c for c in result.checks if c["rule"] == "text_at_most_32767_characters")
    assert (check["success"], check["unexpected_count"]) == (False, 1)
    assert "activity: 40000 characters" in check["examples"]


def test_a_single_line_of_megabytes_is_refused_at_once(loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "timesheets.csv"
    path.write_text("x," * 25_000_000)  # 50 MB, no line break: not a table
    start = time.monotonic()
    (result,) = ingest.ingest_paths([path], db=loaded)
    assert result.status == "rejected" and "no line break in the first 65,536 bytes" in result.message
    assert time.monotonic() - start < 30  # was 297 s of CPU; generous on a loaded CI machine


def limits(edited_config: Callable[[dict[str, str]], None], **values: int) -> None:
    """PMO_CONFIG: pmo.toml with these [limits] values."""
    text = settings.DEFAULT_CONFIG.read_text()
    edited_config({line[0]: f"{key} = {value}" for key, value in values.items()
                   if (line := re.search(rf"(?m)^{key} = .*$", text))})


def timesheet_workbook(path: Path, rows: int) -> Path:
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Timesheets")
    sheet.write_row(0, 0, ["employee_id", "project_id", "work_date", "hours", "activity", "billable"])
    for i in range(1, rows + 1):
        sheet.write_row(i, 0, ["E1", "P1", f"2025-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}", 1, f"task {i}", "yes"])
    book.close()
    return path


@pytest.mark.parametrize(("limit", "expected"), [
    ({"workbook_max_uncompressed_bytes": 100_000}, "over the limit of 100,000 ([limits] "
                                                   "workbook_max_uncompressed_bytes) [workbook_too_large]"),
    ({"workbook_max_cells": 1_000}, "sheet sheet1 declares 18,006 cells, over the limit of 1,000 ([limits] "
                                    "workbook_max_cells) [workbook_too_large]"),
    ({"workbook_reader_memory_bytes": 30_000_000}, "([limits] workbook_reader_memory_bytes)"),
])
def test_a_workbook_over_a_limit_is_refused_before_it_can_exhaust_the_machine(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edited_config, limit: dict,
        expected: str) -> None:
    """Zip bombs: the directory's unpacked size and the sheet's declared cells are checked before reading, and the
    reader runs in a child process with a memory cap (30 MB: it cannot even start, as a bomb would end)."""
    path = timesheet_workbook(tmp_path / "timesheets.xlsx", 3_000)
    before = dump(loaded, skip=AUDIT)
    limits(edited_config, **limit)
    (result,) = ingest.ingest_paths([path], db=loaded)
    assert result.status == "rejected" and expected in result.message, result.message
    assert "Traceback" not in result.message
    assert dump(loaded, skip=AUDIT) == before
    monkeypatch.delenv("PMO_CONFIG")
    (result,) = ingest.ingest_paths([path], db=loaded)  # within the limits of pmo.toml it loads
    assert (result.status, result.rows_loaded) == ("loaded", 3_000)


def reconciles(db: Path) -> list[tuple]:
    """Per load: (file, rows loaded, rows replaced later, rows in raw now), where loaded - replaced <> now."""
    with duckdb.connect(str(db), read_only=True) as con:
        in_raw = " UNION ALL ".join(f"SELECT _load_id AS load_id FROM {s.table}" for s in SOURCES.values())
        return con.execute(f"""
            WITH now AS (SELECT load_id, count(*) AS rows FROM ({in_raw}) GROUP BY ALL),
            replaced AS (SELECT replaced_load_id AS load_id, sum(rows) AS rows FROM load_replaced GROUP BY ALL)
            SELECT l.file_name, l.rows_loaded, coalesce(r.rows, 0), coalesce(n.rows, 0) FROM load_log l
            LEFT JOIN replaced r USING (load_id) LEFT JOIN now n USING (load_id)
            WHERE l.status <> 'rejected' AND l.rows_loaded - coalesce(r.rows, 0) <> coalesce(n.rows, 0)""").fetchall()


def test_replaced_rows_are_accounted_per_load_and_counts_reconcile(loaded: Path, tmp_path: Path) -> None:
    header = "employee_id,project_id,work_date,hours,activity,billable\n"
    march = sf.write(tmp_path / "a", "timesheets", header + "E1,P1,2026-03-02,8,build,yes\n"
                     "E1,P2,2026-03-02,2,design,no\nE2,P1,2026-03-03,4,test,yes\n")
    (first,) = ingest.ingest_paths([march], db=loaded)
    fix = tmp_path / "b" / "timesheets_fix.csv"  # another file: one row of the same grain, one new
    fix.parent.mkdir()
    fix.write_text(header + "E2,P1,2026-03-03,5,test,yes\nE2,P1,2026-03-04,3,test,yes\n")
    (second,) = ingest.ingest_paths([fix], db=loaded)
    corrected = sf.write(tmp_path / "c", "timesheets", header + "E1,P1,2026-03-02,7,build,yes\n")  # same name
    (third,) = ingest.ingest_paths([corrected], db=loaded)
    with duckdb.connect(str(loaded), read_only=True) as con:
        assert con.execute("SELECT load_id, replaced_load_id, rule, rows FROM load_replaced ORDER BY ALL"
                           ).fetchall() == sorted([(second.load_id, first.load_id, "same_grain", 1),
                                                   (third.load_id, first.load_id, "corrected_export", 2)])
        assert con.execute("SELECT sum(hours) FROM raw_timesheets").fetchone()[0] == 7 + 5 + 3
    assert reconciles(loaded) == []


def test_every_load_of_the_demo_reconciles_with_the_raw_layer(demo_db: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM load_log WHERE status <> 'rejected'").fetchone()[0] > 10
    assert reconciles(demo_db) == []
