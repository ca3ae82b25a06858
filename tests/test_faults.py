"""Faults an operator meets: two loads at once, `pmo status` during a load, a load killed after its raw commit,
and `kill -9` at random moments of `pmo ingest`."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import sample_files as sf
from marts_support import published_marts

import pipelines.ingest as ingest
from contract import layout
from pipelines import warehouse
from pipelines.build import ConfigError
from pipelines.cli import main as pmo

REPO = Path(__file__).resolve().parents[1]
HEADER = "employee_id,project_id,work_date,hours,activity,billable\n"


@pytest.fixture(scope="module")
def reference_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the clean projects and people files, built and published."""
    folder = tmp_path_factory.mktemp("reference")
    db = folder / "pmo.duckdb"
    results = ingest.ingest_paths([sf.write(folder / "in", s) for s in ("projects", "people")], db=db)
    assert [r.status for r in results] == ["loaded", "loaded"], [r.message for r in results]
    return db


@pytest.fixture
def loaded(reference_warehouse: Path, warehouse_db: Path) -> Path:
    """A private copy of the reference warehouse (and its published snapshots) at PMO_DB."""
    shutil.copytree(reference_warehouse.parent, warehouse_db.parent)
    return warehouse_db


def timesheet(folder: Path, name: str, *rows: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    return path


def pmo_process(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.cli", *args], cwd=REPO, env=os.environ.copy(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(process: subprocess.Popen, text: str, timeout: float = 60) -> str:
    """Read the process's stderr until `text` appears (it is then waiting on the lock)."""
    seen, deadline = "", time.monotonic() + timeout
    while text not in seen and time.monotonic() < deadline:
        line = process.stderr.readline()  # type: ignore[union-attr]
        if not line:
            break
        seen += line
    assert text in seen, seen
    return seen


def fresh_build_marts(db: Path, folder: Path) -> dict[str, list[tuple]]:
    """The marts `pmo build` publishes from a copy of the warehouse's raw layer."""
    copy = folder / "fresh" / db.name
    copy.parent.mkdir(parents=True)
    shutil.copy(db, copy)
    ingest.rebuild(copy)
    return published_marts(copy)


def test_two_loads_at_once_queue_and_the_daily_hours_rule_holds(loaded: Path, tmp_path: Path) -> None:
    first = timesheet(tmp_path / "a", "timesheets_ann.csv", "E1,P1,2026-03-10,16,build,yes")
    second = timesheet(tmp_path / "b", "timesheets_bob.csv", "E1,P2,2026-03-10,14,design,no")
    with warehouse.writing(loaded, "a test holding the lock"):  # both start while the warehouse is busy
        runs = [pmo_process("ingest", str(path)) for path in (first, second)]
        for run in runs:
            wait_for(run, "warehouse busy: a test holding the lock since")
    outputs = [run.communicate(timeout=120) for run in runs]
    assert sorted(run.returncode for run in runs) == [0, 0], outputs
    assert not any("IOException" in out or "Could not set lock" in out for pair in outputs for out in pair)
    with duckdb.connect(str(loaded), read_only=True) as con:
        assert con.execute("SELECT sum(hours) FROM raw_timesheets WHERE employee_id = 'E1' "
                           "AND work_date = DATE '2026-03-10'").fetchone()[0] in (16, 14)  # never 30
        assert con.execute("SELECT rule, count(*) FROM quarantine GROUP BY ALL").fetchall() == \
            [("person_day_hours_le_24", 1)]


def test_no_wait_fails_at_once_naming_what_holds_the_warehouse(loaded: Path, tmp_path: Path) -> None:
    path = timesheet(tmp_path / "in", "timesheets.csv", "E1,P1,2026-03-10,8,build,yes")
    before = published_marts(loaded)
    with warehouse.writing(loaded, "pmo ingest big.csv"):
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", "--no-wait", str(path)], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "warehouse busy: pmo ingest big.csv since " in done.stderr and "--no-wait" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert published_marts(loaded) == before
    with duckdb.connect(str(loaded), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_timesheets").fetchone() == (0,)


def test_status_answers_while_a_load_holds_the_warehouse(loaded: Path) -> None:
    with warehouse.writing(loaded, "pmo ingest big.csv"), duckdb.connect(str(loaded)):  # DuckDB's own lock too
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", "status"], cwd=REPO, capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "warehouse busy: pmo ingest big.csv since " in done.stdout
    assert "the figures below are the last published (v1)" in done.stdout
    projects = next(line for line in done.stdout.splitlines() if line.startswith("│ projects "))
    assert projects.split("│")[2].strip() == "2"  # rows, from the published snapshot


def test_a_build_owed_by_a_load_killed_after_its_commit_is_finished_by_the_next_command(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    path = timesheet(tmp_path / "in", "timesheets.csv", "E1,P1,2026-03-10,8,build,yes")
    before = published_marts(loaded)

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt  # where kill -9 would have stopped it: raw committed, nothing built

    with monkeypatch.context() as patch:
        patch.setattr(ingest, "rebuild", killed)
        assert pmo(["ingest", str(path)]) == 1
    assert published_marts(loaded) == before  # stale
    capsys.readouterr()
    assert pmo(["status"]) == 0
    assert "BEHIND the raw layer" in capsys.readouterr().out
    assert pmo(["ingest", str(path)]) == 0  # the same file: "unchanged", and the owed build is finished
    assert "unchanged" in capsys.readouterr().out
    assert published_marts(loaded) != before
    assert published_marts(loaded) == fresh_build_marts(loaded, tmp_path)
    assert pmo(["status"]) == 0
    assert "up to date with the raw layer" in capsys.readouterr().out


def test_a_snapshot_published_by_older_code_is_rebuilt_by_the_next_command(loaded: Path) -> None:
    version, snapshot = layout.current_snapshot(loaded)  # type: ignore[misc]
    with duckdb.connect(str(snapshot)) as con:  # what an older release published: no code version, older schema
        con.execute("DROP TABLE snapshot_info")
        con.execute("ALTER TABLE quarantine DROP COLUMN row_loaded")
    assert ingest.finish_owed_build(loaded) == f"the published snapshot v{version} was built by other code"
    assert ingest.finish_owed_build(loaded) is None
    new_version, snapshot = layout.current_snapshot(loaded)  # type: ignore[misc]
    assert new_version == version + 1
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'quarantine' "
                           "AND column_name = 'row_loaded'").fetchone() == (1,)


KILLS = 10


def test_ingest_killed_at_random_moments_then_the_next_command_publishes_what_a_fresh_build_would(
        loaded: Path, tmp_path: Path) -> None:
    chance = random.Random(20261204)  # fixed: a failure is reproducible
    files = [timesheet(tmp_path / "in", f"timesheets_{i}.csv", *(f"E{1 + d % 2},P{1 + i % 2},2026-{i + 1:02d}-"
                                                                 f"{d + 1:02d},{1 + (i + d) % 8},build,yes"
                                                                 for d in range(20)))
             for i in range(KILLS)]
    start = time.monotonic()
    assert subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(files[0])], cwd=REPO,
                          capture_output=True, timeout=300).returncode == 0
    whole = time.monotonic() - start  # one load from start to publish, unkilled
    outcomes = []
    for path in files[1:] + files[:1]:
        run = pmo_process("ingest", str(path))
        time.sleep(chance.uniform(0, whole))
        outcomes.append(run.poll() is None)
        run.send_signal(signal.SIGKILL)
        run.communicate()
        after = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(path)], cwd=REPO,
                               capture_output=True, text=True, timeout=300)
        assert after.returncode == 0, after.stdout + after.stderr
        assert "Traceback" not in after.stdout + after.stderr
        assert published_marts(loaded) == fresh_build_marts(loaded, tmp_path / f"check{len(outcomes)}")
    assert sum(outcomes) >= KILLS // 2, outcomes  # most kills landed mid-load, not after it ended
    with duckdb.connect(str(loaded), read_only=True) as con:  # every file loaded, each once
        assert con.execute("SELECT count(*), count(DISTINCT _source_file) FROM raw_timesheets").fetchone() == \
            (20 * KILLS, KILLS)


def test_a_reader_keeps_its_snapshot_while_loads_publish_and_keep_versions_bounds_the_folder(
        loaded: Path, tmp_path: Path, edited_config) -> None:
    """A reader with snapshot vN open keeps reading vN's numbers while a load publishes vN+1; [publish]
    keep_versions = 2 keeps the two newest snapshots only, and a value under 2 is refused by name."""
    edited_config({"keep_versions = 3": "keep_versions = 2"})
    hours = "SELECT coalesce(sum(hours_logged), 0) FROM mart_utilisation"
    first = timesheet(tmp_path / "a", "timesheets_a.csv", "E1,P1,2026-03-10,6,build,yes",
                      "E1,P1,2026-02-10,0,build,yes")  # weeks in two months
    assert [r.status for r in ingest.ingest_paths([first], db=loaded)] == ["loaded"]
    version, snapshot = layout.current_snapshot(loaded)  # type: ignore[misc]
    with duckdb.connect(str(snapshot), read_only=True) as reader:
        assert reader.execute(hours).fetchone() == (6,)
        second = timesheet(tmp_path / "b", "timesheets_b.csv", "E2,P1,2026-03-10,4,test,no")
        assert [r.status for r in ingest.ingest_paths([second], db=loaded)] == ["loaded"]
        assert reader.execute(hours).fetchone() == (6,)  # still vN, whole and consistent
        newest = layout.current_snapshot(loaded)
        assert newest is not None and newest[0] == version + 1
        with duckdb.connect(str(newest[1]), read_only=True) as fresh:
            assert fresh.execute(hours).fetchone() == (10,)
    third = timesheet(tmp_path / "c", "timesheets_c.csv", "E2,P2,2026-04-14,2,test,no")  # next month
    assert [r.status for r in ingest.ingest_paths([third], db=loaded)] == ["loaded"]
    kept = sorted(p.name for p in layout.published_dir(loaded).glob("v*.duckdb"))
    assert kept == [f"v{version + 1}.duckdb", f"v{version + 2}.duckdb"]
    # the marts a timesheet load does not change are one shared file; the folder holds what the two kept use
    files = {v: json.loads((layout.published_dir(loaded) / f"v{v}.json").read_text())["tables"]
             for v in (version + 1, version + 2)}
    assert files[version + 1]["mart_evm"] == files[version + 2]["mart_evm"]
    # a weekly mart is a file per month: next month's load writes next month (and March, whose last weeks the span
    # now reaches with a row per person); February is shared
    utilisation = [files[v]["mart_utilisation"] for v in (version + 1, version + 2)]
    assert list(utilisation[0]) == ["2026-02", "2026-03"] and list(utilisation[1]) == [*utilisation[0], "2026-04"]
    assert utilisation[0]["2026-02"] == utilisation[1]["2026-02"]
    assert utilisation[0]["2026-03"] != utilisation[1]["2026-03"]
    with duckdb.connect(str(layout.current_snapshot(loaded)[1]), read_only=True) as newest:  # type: ignore[index]
        assert newest.execute(hours).fetchone() == (12,)
    assert sorted(p.name for p in (layout.published_dir(loaded) / "tables").iterdir()) == sorted(
        {f for v in (version + 1, version + 2) for parts in files[v].values() for f in parts.values()})
    edited_config({"keep_versions = 3": "keep_versions = 1"})
    with duckdb.connect(str(loaded)) as con:  # a mart a build would fill again
        assert con.execute("DELETE FROM mart_evm").fetchone()[0] > 0  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"\[publish\] keep_versions must be a whole number of at least 2, got 1"):
        ingest.rebuild(loaded)
    with duckdb.connect(str(loaded), read_only=True) as con:  # refused before the build: nothing was built
        assert con.execute("SELECT count(*) FROM mart_evm").fetchone() == (0,)


def test_a_load_and_a_build_keep_to_the_configured_database_memory_and_a_bad_value_is_refused_by_name(
        loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edited_config, capsys) -> None:
    """[limits] database_memory_bytes bounds DuckDB in the warehouse and in a load's staging database (past it,
    DuckDB spills to disk); a value DuckDB could not work in is refused, naming the key, before anything runs."""
    edited_config({"database_memory_bytes = 314_572_800": "database_memory_bytes = 134_217_728"})
    staged: list[str] = []
    validate = ingest._validate

    def seen(con, *args):
        staged.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return validate(con, *args)

    monkeypatch.setattr(ingest, "_validate", seen)
    path = timesheet(tmp_path / "a", "timesheets_a.csv", "E1,P1,2026-03-10,6,build,yes")
    assert [r.status for r in ingest.ingest_paths([path], db=loaded)] == ["loaded"]
    with warehouse.connect(loaded) as con:
        built = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert staged == [built] == ["128.0 MiB"]

    edited_config({"database_memory_bytes = 314_572_800": "database_memory_bytes = 1000"})
    again = timesheet(tmp_path / "b", "timesheets_b.csv", "E1,P1,2026-03-11,6,build,yes")
    capsys.readouterr()
    assert pmo(["--db", str(loaded), "ingest", str(again)]) == 1
    assert "[limits] database_memory_bytes must be a whole number of bytes, at least 64 MiB" in capsys.readouterr().err
    with duckdb.connect(str(loaded), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_timesheets").fetchone() == (1,)  # nothing of the second file
