"""pipelines.readers: real files of every format and encoding in, typed staged batches (or one-line errors) out."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from contract.batch import InputError, StagedBatch
from contract.sources import SOURCES
from pipelines import intake, readers
from pipelines.intake import stage_file
from pipelines.readers import date_from_file_name, header_map, load_user_map, read_table

TIMESHEET_HEADER = "employee_id,project_id,work_date,hours\n"


@pytest.fixture
def con(tmp_path: Path):
    """A file-backed scratch database, as the orchestrator uses."""
    connection = duckdb.connect(str(tmp_path / "staging.duckdb"))
    yield connection
    connection.close()


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def stage(con, folder: Path, name: str, content: str | bytes, encoding: str = "utf-8", **options) -> StagedBatch:
    [batch] = stage_file(con, write(folder, name, content, encoding), **options)
    return batch


def values(con, batch: StagedBatch, columns: str) -> list[tuple]:
    return con.execute(f"SELECT {columns} FROM {batch.table} ORDER BY _source_row").fetchall()


def column(con, batch: StagedBatch, name: str) -> list:
    return [r[0] for r in values(con, batch, name)]


# --- encodings and dialects ------------------------------------------------------------------------

def test_gb18030_with_chinese_headers_is_detected_and_typed(con, tmp_path: Path) -> None:
    text = "员工编号,项目编号,工作日期,工时,活动,是否计费\nE1,P1,2026-03-02,7.5,开发,是\nE2,P2,2026-03-03,3,测试,否\n"
    batch = stage(con, tmp_path, "工时_2026-03.csv", text, "gb18030")
    assert (batch.source, batch.rows) == ("timesheets", 2)
    assert batch.columns == ["employee_id", "project_id", "work_date", "hours", "activity", "billable"]
    assert values(con, batch, "employee_id, project_id, work_date, hours, activity, billable, _cast_errors") == [
        ("E1", "P1", date(2026, 3, 2), 7.5, "开发", True, None),
        ("E2", "P2", date(2026, 3, 3), 3.0, "测试", False, None)]


def test_semicolon_cp1252_with_accents_and_euro_style_money(con, tmp_path: Path) -> None:
    text = ("employee_id;name;team;weekly_capacity_hours;hourly_cost_rate\n"
            "E1;Zoë Brontë;Café – Ops;37,5;£1.234,50\nE2;Renée Müller;Ops;40;€ 95\n")
    batch = stage(con, tmp_path, "people.csv", text, "cp1252")
    assert batch.source == "people"
    assert values(con, batch, "employee_id, name, team, weekly_capacity_hours, hourly_cost_rate") == [
        ("E1", "Zoë Brontë", "Café – Ops", 37.5, 1234.5), ("E2", "Renée Müller", "Ops", 40.0, 95.0)]


@pytest.mark.parametrize(("words", "encoding"), [
    (["开发"], "gb18030"),  # few distinct characters among English headers: charset-normalizer alone says cp1252
    (["是", "否"], "gb18030"),
    (["设计评审", "需求分析", "上线部署"], "gb18030"),
    (["révision"], "cp1252"),  # also valid GB18030 bytes
    (["Año Pequeño", "naïve – “déjà vu”"], "cp1252"),
    (["Straße", "Qualität £5"], "cp1252"),
])
def test_gb18030_and_cp1252_are_told_apart(con, tmp_path: Path, words: list[str], encoding: str) -> None:
    text = "employee_id,project_id,work_date,hours,activity,billable\n" + "".join(
        f"E{i:06d},P1,2026-03-02,1,{words[i % len(words)]},{i % 3 == 0}\n" for i in range(200))
    batch = stage(con, tmp_path, "timesheets.csv", text, encoding)
    assert set(column(con, batch, "activity")) == set(words)


def test_cp1252_byte_far_into_the_file_is_found_and_transcoded(con, tmp_path: Path) -> None:
    filler = "".join(f"E{i},P1,2026-03-02,1,build\n" for i in range(60_000))  # ~1.5 MB of ASCII first
    text = "employee_id,project_id,work_date,hours,activity\n" + filler + "E9,P1,2026-03-02,2,Café review\n"
    batch = stage(con, tmp_path, "timesheets.csv", text, "cp1252")
    assert batch.rows == 60_001
    assert values(con, batch, "activity, _source_row")[-1] == ("Café review", 60_001)
    assert not list((tmp_path).glob("pmo-utf8-*")), "the UTF-8 copy is removed after reading"


def test_utf8_bom_and_crlf(con, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "\ufeffemployee_id,project_id,work_date,hours\r\nE1,P1,2026-03-02,8\r\n")
    raw = read_table(con, path)
    assert raw.headers == ["employee_id", "project_id", "work_date", "hours"]
    assert con.execute(f"SELECT * FROM {raw.table}").fetchall() == [(1, "E1", "P1", "2026-03-02", "8")]


def test_utf16_unicode_text_from_excel(con, tmp_path: Path) -> None:
    batch = stage(con, tmp_path, "export.txt", "employee_id\tproject_id\twork_date\thours\nE1\tP1\t2026-03-02\t8\n",
                  "utf-16")
    assert values(con, batch, "employee_id, hours") == [("E1", 8.0)]


@pytest.mark.parametrize(("name", "delimiter"), [("t.csv", ","), ("t.csv", ";"), ("t.tsv", "\t"), ("t.txt", "\t"),
                                                 ("t.csv", "|")])
def test_delimiter_is_sniffed(con, tmp_path: Path, name: str, delimiter: str) -> None:
    text = "\n".join(delimiter.join(r) for r in [["employee_id", "project_id", "work_date", "hours", "activity"],
                                                   ["E1", "P1", "2026-03-02", "8", '"design, build"']]) + "\n"
    batch = stage(con, tmp_path, name, text)
    assert values(con, batch, "employee_id, hours, activity") == [("E1", 8.0, "design, build")]


def test_excel_sep_line(con, tmp_path: Path) -> None:
    batch = stage(con, tmp_path, "t.csv", "sep=;\nemployee_id;project_id;work_date;hours\nE1;P1;2026-03-02;8,5\n")
    assert values(con, batch, "employee_id, hours") == [("E1", 8.5)]


def test_quoted_line_breaks_short_rows_blank_lines_and_row_numbers(con, tmp_path: Path) -> None:
    text = ('employee_id,project_id,work_date,hours,activity\n'
            'E1,P1,2026-03-02,8,"design\nand build"\n'
            'E2,P1,2026-03-02\n'  # short row: padded with NULLs
            ',,,,\n'  # blank row: not data
            'E3,P2,2026-03-03,"4",""\n')
    batch = stage(con, tmp_path, "timesheets.csv", text)
    assert values(con, batch, "_source_row, employee_id, hours, activity") == [
        (1, "E1", 8.0, "design\nand build"), (2, "E2", None, None), (4, "E3", 4.0, None)]


def test_duplicate_and_hostile_headers_are_kept_and_quoted(con, tmp_path: Path) -> None:
    hostile = 'x"); DROP TABLE file_text; --'
    text = f'colour_rating,Colour_Rating,"{hostile.replace(chr(34), chr(34) * 2)}",,_source_row\na,b,c,d,e\n'
    raw = read_table(con, write(tmp_path, "t.csv", text))
    assert raw.headers == ["colour_rating", "Colour_Rating_2", hostile, "column_4", "_source_row_2"]
    assert con.execute(f"SELECT * FROM {raw.table}").fetchall() == [(1, "a", "b", "c", "d", "e")]


def test_a_header_that_looks_like_a_query_parameter_is_just_a_name(con, tmp_path: Path) -> None:
    batch = stage(con, tmp_path, "t.csv", "employee_id,project_id,work_date,$months\nE1,P1,2026-03-02,8\n",
                  user_map={"$months": "hours"})
    assert values(con, batch, "employee_id, hours") == [("E1", 8.0)]


def test_a_text_export_named_xls_is_read_as_text(con, tmp_path: Path) -> None:
    batch = stage(con, tmp_path, "export.xls", "employee_id\tproject_id\twork_date\thours\nE1\tP1\t2026-03-02\t8\n")
    assert values(con, batch, "employee_id, hours") == [("E1", 8.0)]


# --- Excel and Parquet ---------------------------------------------------------------------------

def test_xlsx_cells_become_text_then_types(con, tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Notes").write(0, 0, "not this sheet")
    sheet = book.add_worksheet("People")
    sheet.write_row(0, 0, ["Employee ID", "Name", "Weekly Capacity", "Rate", "Join Date", "Leave Date"])
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for r, (emp, name, capacity, rate, joined, left) in enumerate(
            [("E1", "Ann", 40, 80.5, date(2025, 1, 6), 45292), (1002, "Bob", 37.5, 60, date(2026, 2, 1), 45658)], 1):
        sheet.write_row(r, 0, [emp, name, capacity, rate])
        sheet.write_datetime(r, 4, joined, day)
        sheet.write_number(r, 5, left)
    book.close()

    raw = read_table(con, path, sheet="People")
    assert con.execute(f"SELECT * FROM {raw.table} ORDER BY 1").fetchall() == [
        (1, "E1", "Ann", "40", "80.5", "2025-01-06", "45292"), (2, "1002", "Bob", "37.5", "60", "2026-02-01", "45658")]
    with pytest.raises(InputError, match="sheet_missing"):
        read_table(con, path, sheet="Nope")
    name, mapping = header_map(raw.headers, None, file_name=path.name)
    batch = readers.conform(con, name, raw.table, path.name, header_map=mapping)
    assert values(con, batch, "employee_id, weekly_capacity_hours, hourly_cost_rate, start_date, end_date") == [
        ("E1", 40.0, 80.5, date(2025, 1, 6), date(2024, 1, 1)),
        ("1002", 37.5, 60.0, date(2026, 2, 1), date(2025, 1, 1))]
    with pytest.raises(InputError, match="no_data_rows"):  # the first sheet holds one note, no table
        stage_file(con, path)
    assert [b.source for b in stage_file(con, path, sheet="People")] == ["people"]  # `pmo ingest --sheet People`


def test_parquet_columns_are_read_as_text_then_typed(con, tmp_path: Path) -> None:
    path = tmp_path / "timesheets.parquet"
    duckdb.sql(f"""COPY (SELECT * FROM (VALUES ('E1', 'P1', DATE '2026-03-02', 7.5::DOUBLE, true),
                                              ('E2', 'P2', DATE '2026-03-03', 8::DOUBLE, false))
                        t(employee_id, project_id, work_date, hours, billable)) TO '{path}' (FORMAT parquet)""")
    batch = stage_file(con, path)[0]
    assert values(con, batch, "_source_row, employee_id, work_date, hours, billable") == [
        (1, "E1", date(2026, 3, 2), 7.5, True), (2, "E2", date(2026, 3, 3), 8.0, False)]


# --- errors: one line, the right rule ------------------------------------------------------------

def _garbage() -> bytes:
    return random.Random(7).randbytes(5000)


@pytest.mark.parametrize(("name", "content", "source", "rule", "column"), [
    ("empty.csv", b"", None, "empty_file", None),
    ("blank.csv", b"\n\n", None, "empty_file", None),
    ("header.csv", TIMESHEET_HEADER.encode(), None, "no_data_rows", None),
    ("blank_rows.csv", (TIMESHEET_HEADER + ",,,\n").encode(), None, "no_data_rows", None),
    ("bytes.csv", bytes(range(256)) * 40, None, "not_text", None),
    ("random.csv", _garbage(), None, "not_text", None),
    ("report.pdf", b"%PDF-1.7", None, "unsupported_format", None),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", None, "unreadable_file", None),
    ("empty.parquet", b"PAR1 nope", None, "unreadable_file", None),
    ("ts.csv", b"employee_id,project_id,work_date\nE1,P1,2026-03-02\n", "timesheets", "required_column", "hours"),
    ("ts.csv", b"Employee,Project,Work Date,Hours\nE1,P1,03/04/2026\nE1,P1,05/06/2026\n", None, "ambiguous_date",
     "Work Date"),
    ("ts.csv", b"employee_id,project_id,work_date,hours\nE1,P1,13/04/2026,1\nE1,P1,04/13/2026,1\n", None,
     "mixed_date_order", "work_date"),
    ("milestones.csv", b"project_id,milestone_id,milestone_name,baseline_date\nP1,M1,Go,2026-01-01\n", None,
     "as_of_required", None),
    ("things.csv", b"colour,size\nred,1\n", None, "unknown_source", None),
    ("ts.csv", (TIMESHEET_HEADER + 'E1,P1,2026-03-02,"8\nE1,P1,2026-03-03,8\n').encode(), None,
     "unterminated_quote", None),
    ("export.csv", b"project_id,check_id,date,type,result,lesson_id,category,description\n"
                   b"P,C,2026-01-01,t,pass,L,c,d\n", None, "ambiguous_source", None),
])
def test_bad_input_is_one_line_naming_file_rule_and_column(con, tmp_path: Path, name: str, content: bytes,
                                                           source: str | None, rule: str, column: str | None) -> None:
    with pytest.raises(InputError) as caught:
        stage_file(con, write(tmp_path, name, content), source=source)
    err = caught.value
    assert (err.rule, err.column) == (rule, column), str(err)
    assert str(err).startswith(name) and "\n" not in str(err) and str(err).endswith(f"[{rule}]")


def test_a_nul_byte_past_the_sampled_start_is_refused_with_its_line(con, tmp_path: Path) -> None:
    rows = "".join(f"E{i},P1,2026-03-02,1\n" for i in range(20_000))  # ~400 KiB: past the 64 KiB sample
    path = write(tmp_path, "ts.csv", (TIMESHEET_HEADER + rows).encode() + b"E9,P1,2026-03-02,1\x00\n")
    with pytest.raises(InputError, match=r"ts.csv: a NUL byte on line 20002: .* \[not_text\]"):
        stage_file(con, path)


def test_missing_required_column_lists_what_was_found(con, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        stage_file(con, write(tmp_path, "timesheets.csv", "employee_id,project_id,date\nE1,P1,2026-03-02\n"),
                   source="timesheets")
    assert str(caught.value) == ("timesheets.csv: column 'hours': required column missing "
                                 "(headers found: employee_id, project_id, date) [required_column]")


def test_no_source_matches_names_the_closest_and_what_it_lacks(con, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"closest is 'timesheets', missing required column\(s\) hours"):
        stage_file(con, write(tmp_path, "x.csv", "employee_id,project_id,work_date\nE1,P1,2026-03-02\n"))


# --- dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cells", "expected"), [
    (["2026-03-02", "2026-03-31 17:00:00", "2026-3-5T08:00"], ["2026-03-02", "2026-03-31", "2026-03-05"]),
    (["02/03/2026", "25/03/2026"], ["2026-03-02", "2026-03-25"]),
    (["03/02/2026", "03/25/2026"], ["2026-03-02", "2026-03-25"]),
    (["2-3-2026", "25-3-2026"], ["2026-03-02", "2026-03-25"]),
    (["02.03.2026", "31.12.2025"], ["2026-03-02", "2025-12-31"]),
    (["02-Nov-04", "15-aug-69", "01-Jan-68", "3 March 2026"], ["2004-11-02", "1969-08-15", "2068-01-01", "2026-03-03"]),
    (["5/02/2016 5:00:00 PM", "29/09/2016", "30/03/2016 5:00 AM"], ["2016-02-05", "2016-09-29", "2016-03-30"]),
    (["45292", "45293.75", "45658"], ["2024-01-01", "2024-01-02", "2025-01-01"]),
    (["2026/03/02", "2026年3月5日"], ["2026-03-02", "2026-03-05"]),
    (["Nov 2, 2004", "2004-11-03"], ["2004-11-02", "2004-11-03"]),
    (["04/04/2026", "05/05/2026"], ["2026-04-04", "2026-05-05"]),  # reads the same both ways: no error
    (["", "n/a", "2026-03-02"], [None, None, "2026-03-02"]),
], ids=["iso", "dmy", "mdy", "dash-dmy", "dotted", "dd-mon-yy", "mixed-times", "excel-serial", "ymd-slash-cn",
        "mon-d-yyyy", "same-both-ways", "empty"])
def test_date_formats(con, tmp_path: Path, cells: list[str], expected: list[str | None]) -> None:
    text = TIMESHEET_HEADER + "".join(f'E{i},P1,"{c}",1\n' for i, c in enumerate(cells))
    batch = stage(con, tmp_path, "timesheets.csv", text)
    assert [d and d.isoformat() for d in column(con, batch, "work_date")] == expected
    assert column(con, batch, "_cast_errors") == [None] * len(cells)


def test_invalid_dates_and_numbers_are_null_with_cast_errors(con, tmp_path: Path) -> None:
    text = TIMESHEET_HEADER + "E1,P1,31/02/2026,abc\nE2,P1,15/02/2026,8\nE3,P1,someday,7\n"
    batch = stage(con, tmp_path, "timesheets.csv", text)
    assert values(con, batch, "work_date, hours, _cast_errors") == [
        (None, None, "work_date='31/02/2026'; hours='abc'"), (date(2026, 2, 15), 8.0, None),
        (None, 7.0, "work_date='someday'")]


def test_configured_slash_order_decides_ambiguous_columns(con, tmp_path: Path, edited_config) -> None:
    edited_config({'slash_order = "auto"': 'slash_order = "mdy"'})
    batch = stage(con, tmp_path, "timesheets.csv", TIMESHEET_HEADER + "E1,P1,03/04/2026,1\n")
    assert column(con, batch, "work_date") == [date(2026, 3, 4)]


def test_an_ambiguous_column_takes_the_order_another_date_column_proves(con, tmp_path: Path) -> None:
    text = ("project_id,project_name,start_date,planned_finish_date,budget_at_completion\n"
            "P1,Alpha,03/04/2026,25/12/2026,100\n")
    batch = stage(con, tmp_path, "projects.csv", text)
    assert values(con, batch, "start_date, planned_finish_date") == [(date(2026, 4, 3), date(2026, 12, 25))]


# --- numbers, integers, booleans, vocabularies -----------------------------------------------------

@pytest.mark.parametrize(("cell", "expected", "error"), [
    ("1234.5", 1234.5, False), ("1,234.50", 1234.5, False), ("£1,234", 1234.0, False), ("$1,234", 1234.0, False),
    ("12%", 12.0, False), ("(1,234)", -1234.0, False), ("-1,234,567.5", -1234567.5, False),
    ("1.234,5", 1234.5, False), ("7,5", 7.5, False), ("€ 2 500,00", 2500.0, False), ("USD 99", 99.0, False),
    (" 8 ", 8.0, False), ("1e3", 1000.0, False), ("n/a", None, False), ("-", None, False), ("", None, False),
    ("abc", None, True), ("12 apples", None, True),
])
def test_number_cleaning(con, tmp_path: Path, cell: str, expected: float | None, error: bool) -> None:
    text = f'project_id,period,cost_category,planned_cost\nP1,2026-01,labour,"{cell}"\n'
    batch = stage(con, tmp_path, "budgets.csv", text)
    [(planned, errors)] = values(con, batch, "planned_cost, _cast_errors")
    assert planned == expected
    assert errors == (f"planned_cost='{cell.strip()}'" if error else None)


def test_integers_booleans_and_vocabularies(con, tmp_path: Path) -> None:
    text = ("risk_id,project_id,title,probability,impact,status\n"
            "R1,P1,A,3,4.0,Open\nR2,P1,B,3.5,2,In Progress\nR3,P1,C,2,5, MATERIALISED \n")
    batch = stage(con, tmp_path, "risks_2026-10-31.csv", text)
    assert values(con, batch, "probability, impact, status, _cast_errors") == [
        (3, 4, "open", None), (None, 2, "In Progress", "probability='3.5'"), (2, 5, "materialised", None)]
    text = "project_id,milestone_id,milestone_name,baseline_date,is_gate\n" + "".join(
        f"P1,M{i},m,2026-01-01,{v}\n" for i, v in enumerate(["yes", "N", "1", "false", "是", "否", "maybe"]))
    batch = stage(con, tmp_path, "milestones_2026-10.csv", text)
    assert column(con, batch, "is_gate") == [True, False, True, False, True, False, None]
    assert column(con, batch, "_cast_errors")[-1] == "is_gate='maybe'"
    batch = stage(con, tmp_path, "projects.csv", "project_id,project_name,status,start_date,planned_finish_date,bac\n"
                  "P1,A,On Hold,2026-01-01,2026-12-31,1\nP2,B,in-flight,2026-01-01,2026-12-31,1\n")
    assert column(con, batch, "status") == ["on_hold", "in-flight"]  # unknown words are left for the gate


# --- snapshots -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("risks_2026-10-31.csv", date(2026, 10, 31)), ("risks_2026-10.csv", date(2026, 10, 31)),
    ("risks_2026-02.xlsx", date(2026, 2, 28)), ("UP-54069-20251121.xer", date(2025, 11, 21)),
    ("risks_fixed_2026_11_30.csv", date(2026, 11, 30)), ("Risk register 2026-01.csv", date(2026, 1, 31)),
    ("risks.csv", None), ("risks_2026-13.csv", None), ("project-12345678.csv", None),
])
def test_date_from_file_name(name: str, expected: date | None) -> None:
    assert date_from_file_name(name) == expected


def test_as_of_comes_from_column_then_argument_then_file_name(con, tmp_path: Path) -> None:
    header = "risk_id,project_id,title,probability,impact,status"
    batch = stage(con, tmp_path, "risks_2026-10.csv", f"{header}\nR1,P1,A,1,1,open\n")
    assert (batch.as_of_date, column(con, batch, "as_of_date")) == (date(2026, 10, 31), [date(2026, 10, 31)])
    batch = stage(con, tmp_path, "risks_2026-10.csv", f"{header}\nR1,P1,A,1,1,open\n", as_of=date(2026, 9, 30))
    assert batch.as_of_date == date(2026, 9, 30)
    batch = stage(con, tmp_path, "risks_2026-10.csv", f"{header},as_of_date\nR1,P1,A,1,1,open,2026-08-31\n"
                  "R2,P1,B,1,1,open,\nR3,P1,C,1,1,open,n/a\n", as_of=date(2026, 9, 30))
    assert column(con, batch, "as_of_date") == [date(2026, 8, 31), date(2026, 9, 30), date(2026, 9, 30)]
    assert batch.as_of_date is None  # two as-of dates in one batch


def test_status_falls_back_to_report_date_per_row(con, tmp_path: Path) -> None:
    text = "project_id,report_date,percent_complete\nP1,2026-02-27,35%\nP2,2026-02-26,5\n"
    batch = stage(con, tmp_path, "status.csv", text)
    assert values(con, batch, "as_of_date, percent_complete") == [(date(2026, 2, 27), 35.0), (date(2026, 2, 26), 5.0)]


# --- headers and sources -------------------------------------------------------------------------

@pytest.mark.parametrize(("headers", "source"), [
    (["Employee ID", "Project Code", "Date", "Hours Worked", "Task"], "timesheets"),
    (["Project No.", "Project Title", "Start", "Planned Finish", "BAC", "PM"], "projects"),
    (["风险编号", "项目编号", "风险名称", "可能性", "影响", "状态"], "risks"),
    (["CR ID", "Project", "Title", "Type", "Submitted", "Outcome", "Cost Delta"], "changes"),
])
def test_source_is_detected_from_aliases(headers: list[str], source: str) -> None:
    name, mapping = header_map(headers, None, file_name="export.csv")
    assert name == source
    assert set(SOURCES[source].required) <= set(mapping.values())


def test_the_file_name_breaks_a_tie_between_sources() -> None:
    headers = ["project_id", "check_id", "date", "type", "result", "lesson_id", "category", "description"]
    assert header_map(headers, None, file_name="lessons_2026.csv")[0] == "lessons"


def test_a_column_own_name_beats_an_alias() -> None:
    _, mapping = header_map(["Project", "Project ID", "Employee", "Date", "Hours"], "timesheets", file_name="t.csv")
    assert mapping == {"Project ID": "project_id", "Employee": "employee_id", "Date": "work_date", "Hours": "hours"}


HEADER_MAP = '[aliases]\n"Staff Number" = "employee_id"\n"Job" = "project_id"\n"Logged" = "hours"\n'
THEIR_TIMESHEET = "Staff Number,Job,Date,Logged,Ignored\nS1,J1,2026-03-02,6,x\n"


def test_user_mapping_file_from_environment(con, tmp_path: Path, monkeypatch) -> None:
    mapping = tmp_path / "mine.toml"
    mapping.write_text(HEADER_MAP)
    monkeypatch.setenv("PMO_MAPPING", str(mapping))
    batch = stage(con, tmp_path, "t.csv", THEIR_TIMESHEET)
    assert (batch.source, values(con, batch, "employee_id, project_id, hours")) == ("timesheets", [("S1", "J1", 6.0)])


def test_user_mapping_file_given_as_mapping(con, tmp_path: Path) -> None:
    mapping = tmp_path / "mine.toml"
    mapping.write_text(HEADER_MAP)
    path = tmp_path / "t.csv"
    path.write_text(THEIR_TIMESHEET, encoding="utf-8")
    [batch] = stage_file(con, path, mapping=str(mapping))
    assert (batch.source, values(con, batch, "employee_id, project_id, hours")) == ("timesheets", [("S1", "J1", 6.0)])


def test_user_mapping_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[aliases]\n"X" = "no_such_column"\n')
    with pytest.raises(InputError, match="no_such_column.*mapping_file"):
        load_user_map(bad)
    bad.write_text("[aliases\n")
    with pytest.raises(InputError, match="mapping_file"):
        load_user_map(bad)


def test_format_handler_takes_precedence(con, tmp_path: Path, monkeypatch) -> None:
    calls = []

    def handler(con, path, *, as_of, baseline, known):
        calls.append((path.name, as_of, baseline, known))
        return []

    monkeypatch.setattr(intake, "handler_for", lambda path, mapping: handler if path.suffix == ".xer" else None)
    def known(project_id, data_date):
        raise AssertionError("not asked in this test")

    assert stage_file(con, write(tmp_path, "s.xer", b"ERMHDR"), as_of=date(2026, 1, 31), baseline=True,
                      known=known) == []
    assert calls == [("s.xer", date(2026, 1, 31), True, known)]


# --- the real third-party exports ------------------------------------------------------------------

@pytest.mark.samples
def test_real_exports(con, samples: Path) -> None:
    uk = read_table(con, samples / "uk_2023.csv")  # ISO-8859-1, ';', duplicate header, multi-line comments
    assert uk.rows == 244 and "colour_rating_2" in uk.headers and "TOTAL Baseline Benefits (£m)" in uk.headers
    name, mapping = header_map(uk.headers, None, file_name=uk.file_name, user_map={
        "project_number": "project_id", "end_date": "planned_finish_date", "total_baseline": "budget_at_completion"})
    batch = readers.conform(con, name, uk.table, uk.file_name, header_map=mapping, table="uk")
    assert values(con, batch, "project_id, start_date, planned_finish_date, budget_at_completion")[0] == (
        "CO_0024_2021-Q2", date(2020, 5, 20), date(2024, 9, 30), Decimal("7.90"))  # an exact amount
    assert "Exempt under Section 43" in con.execute("SELECT any_value(_cast_errors) FROM uk").fetchone()[0]

    capital = read_table(con, samples / "Capital_Delivery_Project_deidentified.csv", table="cap")  # BOM, CRLF
    batch = readers.conform(con, "projects", capital.table, capital.file_name, table="cap_batch", header_map={
        "ID": "project_id", "Delivery Program": "project_name", "BNI": "start_date", "PBC": "planned_finish_date",
        "FFC": "budget_at_completion"})
    assert values(con, batch, "project_id, start_date, planned_finish_date")[0] == (
        "Q05388", date(2016, 2, 5), date(2016, 3, 30))
    assert con.execute("SELECT count(*) FROM cap_batch WHERE _cast_errors IS NOT NULL").fetchone()[0] == 0

    dates = read_table(con, samples / "est-act-dates.csv", table="sip_dates")
    batch = readers.conform(con, "milestones", dates.table, dates.file_name, as_of=date(2014, 12, 31),
                            table="sip_batch", header_map={"TaskNumber": "milestone_id", "EstimateOn": "baseline_date",
                                                           "CompletedOn": "actual_date"})
    assert values(con, batch, "milestone_id, baseline_date, actual_date")[0] == (
        "2610", date(2004, 11, 2), date(2004, 11, 16))
