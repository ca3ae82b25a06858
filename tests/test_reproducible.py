"""The same data always gives the same numbers: every cell of every dim_* and mart_* table, on the demo warehouse.

Money is DECIMAL(18,2) end to end, so sums do not depend on the order DuckDB's threads add them in, and an
index meets its band edges in one place (index_rag, on the value rounded to [evm] index_decimals).
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

import pipelines.ingest as ingest
from contract import layout
from pipelines.build import MODELS, build


def marts(db: Path) -> dict[str, list[tuple]]:
    """Every row of every dim_* and mart_* table (or view: a published snapshot's Parquet files), in key order (all
    columns), with the column names."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE regexp_matches(table_name, '^(dim|mart)_') "
            "ORDER BY 1").fetchall()]
        out = {}
        for name in names:
            cur = con.execute(f'SELECT * FROM "{name}" ORDER BY ALL')
            out[name] = [tuple(d[0] for d in cur.description), *cur.fetchall()]
        return out
    finally:
        con.close()


def published_marts(db: Path) -> dict[str, list[tuple]]:
    """Every mart as readers see it: in the warehouse's current published snapshot."""
    current = layout.current_snapshot(db)
    assert current is not None
    return marts(current[1])


def assert_same_cells(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> None:
    assert before.keys() == after.keys()
    differing = {name: sum(a != b for a, b in zip(before[name], after[name], strict=False))
                 + abs(len(before[name]) - len(after[name])) for name in before}
    assert {n: d for n, d in differing.items() if d} == {}


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path, use_warehouse) -> Path:
    db = tmp_path / "warehouse" / "pmo.duckdb"
    db.parent.mkdir()
    shutil.copy(demo_db, db)
    return use_warehouse(db)


def test_building_twice_gives_every_cell_of_every_mart_bit_identical(demo_copy: Path) -> None:
    first = marts(demo_copy)
    assert set(first) == {m for m in MODELS if m.startswith(("dim_", "mart_"))}
    assert sum(len(rows) for rows in first.values()) > 50_000
    for _ in range(2):
        con = duckdb.connect(str(demo_copy))
        try:
            build(con, own_transaction=True)
        finally:
            con.close()
        assert_same_cells(first, marts(demo_copy))


def test_money_is_exact_decimal_and_indices_have_a_documented_precision(demo_db: Path) -> None:
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'mart_evm'"
                                 ).fetchall())
        assert {types[c] for c in ("bac", "pv", "ev", "ac", "cv", "sv", "eac", "etc", "vac")} == {"DECIMAL(18,2)"}
        assert con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'raw_budgets' "
                           "AND column_name = 'planned_cost'").fetchone() == ("DECIMAL(18,2)",)
        # indices carry four decimals at most; an active project's PV at its last planned month is its BAC, to
        # the cent: the plan's cents summed exactly
        assert con.execute("SELECT count(*) FROM mart_evm WHERE cpi <> round(cpi, 4) OR spi_t <> round(spi_t, 4)"
                           ).fetchone() == (0,)
        assert con.execute(
            "SELECT count(*), count(*) FILTER (WHERE e.pv = p.bac) FROM mart_evm AS e JOIN dim_project AS p "
            "USING (project_id) WHERE NOT p.is_closed AND e.month_start = p.last_planned_month").fetchone() == (48, 48)
    finally:
        con.close()


@pytest.mark.parametrize("name, text", [
    ("budgets.csv", ""),                                                     # empty
    ("budgets.csv", "\x00\x01garbage\xff" * 20),                             # binary garbage
    ("budgets.csv", "project,colour,weight\nPRJ-001,red,12\n"),              # wrong columns
])
def test_a_rejected_file_changes_no_mart_only_the_load_log(demo_copy: Path, tmp_path: Path, name: str,
                                                           text: str) -> None:
    """A rejected re-export of a file the warehouse already holds (same name) wrote nothing: the numbers stand
    as they were; the load log, the gate results and the Data-quality page record the rejection."""
    before = marts(demo_copy)
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes(text.encode("latin-1"))
    (result,) = ingest.ingest_paths([path], source="budgets", db=demo_copy)
    assert result.status == "rejected"
    assert_same_cells(before, marts(demo_copy))
    con = duckdb.connect(str(demo_copy), read_only=True)
    try:
        assert con.execute("SELECT status FROM load_log WHERE load_id = ?", [result.load_id]).fetchone() == \
            ("rejected",)
    finally:
        con.close()


def test_reloading_an_identical_file_changes_nothing(demo_copy: Path, demo_files: Path) -> None:
    before = marts(demo_copy)
    (result,) = ingest.ingest_paths([demo_files / "budgets.csv"], db=demo_copy)
    assert result.status == "unchanged"
    assert_same_cells(before, marts(demo_copy))


def table_blocks(db: Path) -> dict[str, list[int]]:
    """dim_/mart_ table -> the storage blocks holding it: a table written again gets new blocks (its catalog oid
    does not tell: a table created again is given the same one)."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() "
                                           "WHERE regexp_matches(table_name, '^(dim|mart)_')").fetchall()]
        return {name: con.execute("SELECT list(block_id ORDER BY row_group_id, column_id, segment_id) "
                                  "FROM pragma_storage_info(?)", [name]).fetchone()[0] for name in names}


def full_build_of_a_copy(db: Path, folder: Path) -> dict[str, list[tuple]]:
    """Every mart as `pmo build` (a full build) makes it from the same raw layer."""
    copy = folder / db.name
    folder.mkdir()
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    try:
        build(con, own_transaction=True)
    finally:
        con.close()
    return marts(copy)


def test_an_incremental_build_after_each_load_equals_a_full_build_on_every_mart(demo_copy: Path,
                                                                                 tmp_path: Path) -> None:
    """After a load the marts are refreshed for what it changed only (a timesheet load: the weeks it touched);
    after each load every cell of every mart is what a full build of the same raw layer gives."""
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        (people, projects, as_of) = con.execute(
            "SELECT (SELECT list(employee_id ORDER BY employee_id)[:3] FROM dim_person),"
            " (SELECT list(project_id ORDER BY project_id)[:2] FROM dim_project), as_of_date FROM dim_report_date"
        ).fetchone()  # type: ignore[misc]
    weeks = [as_of - timedelta(days=7 * n + as_of.weekday()) for n in (20, 21, 9)]  # three Mondays, in history
    folder = tmp_path / "in"
    folder.mkdir()

    def load(name: str, text: str, source: str) -> None:
        (folder / name).write_text(text, encoding="utf-8")
        (result,) = ingest.ingest_paths([folder / name], source=source, db=demo_copy)
        assert result.status == "loaded", result.message

    assert ingest.finish_owed_build(demo_copy)  # the copy has no snapshot: publish one, so the loads are incremental
    before, blocks = marts(demo_copy), table_blocks(demo_copy)
    header = "employee_id,project_id,work_date,hours,activity,billable\n"
    extra = "".join(f"{person},{projects[0]},{weeks[0] + timedelta(days=1)},3,incremental check,yes\n"
                    f"{person},{projects[1]},{weeks[1] + timedelta(days=2)},2.5,incremental check,no\n"
                    for person in people)
    load("timesheets_extra.csv", header + extra, "timesheets")
    after = marts(demo_copy)
    assert_same_cells(full_build_of_a_copy(demo_copy, tmp_path / "full1"), after)
    assert_same_cells(after, published_marts(demo_copy))
    # written where the load changed something only: the timesheet marts (their weeks) and the readers of the loads'
    # own record; the EVM marts, which read no timesheets, keep their blocks
    rewritten = {name for name, ids in table_blocks(demo_copy).items() if ids != blocks[name]}
    assert rewritten == {"mart_utilisation", "mart_utilisation_team", "mart_time_booked", "dim_project_load",
                         "mart_gate_impact"}
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"mart_utilisation", "mart_utilisation_team", "mart_time_booked"}

    # a corrected export of the same file: its rows in the two weeks are replaced by rows in a third
    moved = "".join(f"{person},{projects[0]},{weeks[2]},7,incremental check,yes\n" for person in people)
    load("timesheets_extra.csv", header + moved, "timesheets")
    assert_same_cells(full_build_of_a_copy(demo_copy, tmp_path / "full2"), marts(demo_copy))
    assert_same_cells(marts(demo_copy), published_marts(demo_copy))  # a weekly mart's untouched months shared
    with duckdb.connect(str(demo_copy), read_only=True) as con:
        assert con.execute("SELECT sum(hours_logged) FROM mart_time_booked WHERE project_id = ? AND week_start = ?",
                           [projects[0], weeks[0]]).fetchone() == con.execute(
            "SELECT sum(hours) FROM raw_timesheets WHERE project_id = ? AND date_trunc('week', work_date) = ?",
            [projects[0], weeks[0]]).fetchone()

    # a person's team changes: every week of theirs moves team, so the utilisation marts are rebuilt whole
    load("people_fix.csv", "employee_id,name,team,weekly_capacity_hours\n"
                           f"{people[0]},Renamed,Incremental team,40\n", "people")
    refreshed = marts(demo_copy)
    assert_same_cells(full_build_of_a_copy(demo_copy, tmp_path / "full3"), refreshed)
    assert any(row[0] == "Incremental team" for row in refreshed["mart_utilisation_team"][1:])
