"""Property-based fuzzing of the readers and the loader (hypothesis): random bytes under every file type, and
random CSV shapes (column order, extra columns, short and long rows, quoting, delimiters, encodings, any text in a
cell) never crash anything: a file is staged or refused with an InputError; every non-blank row is accounted for;
a refused file changes no mart."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest
import sample_files as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marts_support import published_marts

import pipelines.ingest as ingest
from contract.batch import InputError
from pipelines.intake import stage_file

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet", ".xml", ".xer")
TIMESHEET = ("employee_id", "project_id", "work_date", "hours", "activity", "billable")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "cp1252")
FUZZ = settings(deadline=None, derandomize=True, database=None,  # the same cases on every run, no files written
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@st.composite
def csv_files(draw) -> tuple[str, bytes, int]:
    """(file name, bytes, non-blank data rows) of a timesheet export of random shape."""
    encoding = draw(st.sampled_from(ENCODINGS))
    cell = st.text(st.characters(codec="cp1252" if encoding == "cp1252" else "utf-8",  # control bytes: binary,
                                 exclude_categories=["Cs", "Cc"], include_characters="\t\n\r"),  # refused (above)
                   max_size=12)
    value = st.one_of(cell, st.sampled_from(["E1", "P1", "2026-03-02", "02/03/2026", "8", "-1", "30", "yes", ""]))
    headers = draw(st.permutations([*TIMESHEET, *(f"x_{i}" for i in range(draw(st.integers(0, 2))))]))
    width = len(headers)
    rows = draw(st.lists(st.lists(value, min_size=max(1, width - 2), max_size=width + 2), min_size=1, max_size=25))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    text = io.StringIO()
    # well-formed: Python quotes a value holding a line break only when the break is part of the line terminator
    quoting, terminator = draw(st.sampled_from([(csv.QUOTE_MINIMAL, "\r\n"), (csv.QUOTE_ALL, "\n"),
                                                (csv.QUOTE_ALL, "\r\n")]))
    writer = csv.writer(text, delimiter=delimiter, lineterminator=terminator, quoting=quoting)
    writer.writerow(headers)
    writer.writerows(rows)
    non_blank = sum(any(v.strip() for v in row) for row in rows)
    return f"timesheets{'.tsv' if delimiter == chr(9) else '.csv'}", text.getvalue().encode(encoding), non_blank


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=2_000))
def test_random_bytes_under_any_file_type_are_staged_or_refused(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"file{suffix}"
        path.write_bytes(data)
        con = duckdb.connect(str(Path(folder) / "staging.duckdb"))
        try:
            stage_file(con, path)
        except InputError as refused:
            assert str(refused).startswith(path.name) and "\n" not in str(refused)
        finally:
            con.close()


@FUZZ
@given(case=csv_files())
def test_a_csv_of_any_shape_is_refused_or_stages_every_non_blank_row(case: tuple[str, bytes, int]) -> None:
    name, data, non_blank = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        con = duckdb.connect(str(Path(folder) / "staging.duckdb"))
        try:
            batches = stage_file(con, path, source="timesheets")
        except InputError:
            return  # refused whole, with a one-line reason: nothing of it is loaded
        finally:
            con.close()
    assert [b.rows for b in batches] == [non_blank]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "warehouse" / "pmo.duckdb"
    ingest.ingest_paths([sf.write(folder / "in", s) for s in ("projects", "people")], db=db)
    return db


@settings(FUZZ, max_examples=12)
@given(case=csv_files())
def test_a_fuzzed_load_accounts_every_row_and_a_refused_one_changes_no_mart(reference: Path, tmp_path: Path,
                                                                           case: tuple[str, bytes, int]) -> None:
    name, data, non_blank = case
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        db = Path(folder) / "warehouse" / reference.name
        shutil.copytree(reference.parent, db.parent)
        before = published_marts(db)
        path = Path(folder) / name
        path.write_bytes(data)
        (result,) = ingest.ingest_paths([path], source="timesheets", db=db)
        if result.failed:
            assert published_marts(db) == before, result.message
            return
        assert result.rows_read == non_blank == result.rows_loaded + result.rows_quarantined
        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM raw_timesheets").fetchone() == (result.rows_loaded,)
            assert con.execute("SELECT count(DISTINCT source_row) FROM quarantine WHERE NOT row_loaded"
                               ).fetchone() == (result.rows_quarantined,)
