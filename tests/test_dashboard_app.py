"""The dashboard driven through streamlit.testing.v1.AppTest against real warehouses built by the real pipeline."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
import sample_files as sf
from chart_support import trace_values
from streamlit.testing.v1 import AppTest
from synthetic_portfolio import synthesize

from contract import settings
from contract.layout import current_snapshot
from dashboard import db, i18n, tables, ui, uploads
from pipelines.ingest import ingest_paths

APP = Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py"
PAGES = ("overview", "project_detail", "schedule", "resources", "budget_evm", "risks", "performance", "changes",
         "issues_actions", "quality", "documents", "closure_lessons", "data_quality", "load_data", "accounts")
# Active at a month end, as the overview counts them, written out independently of the dashboard's SQL.
ACTIVE_AT = """
SELECT count(*) FROM dim_project
WHERE portfolio = $portfolio AND start_date <= $month_end
  AND ((actual_finish_date IS NOT NULL AND actual_finish_date > $month_end)
       OR (actual_finish_date IS NULL AND status = 'active'))
"""


def app(page: str = "overview", **query: str | list[str]) -> AppTest:
    """The app after a first run with `query` in the URL, switched to `page`."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def snapshot_query(sql: str, **params: object) -> list[tuple]:
    snapshot = current_snapshot(settings.db_path())
    assert snapshot, "the fixture warehouse has no published snapshot"
    con = duckdb.connect(str(snapshot[1]), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def latest_period() -> str:
    return snapshot_query("SELECT as_of_period FROM dim_report_date")[0][0]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(demo_db: Path, page: str, lang: str) -> None:
    at = app(page, lang=lang)
    assert at.title[0].value == i18n.TEXT[lang][f"page.{page}"]
    assert i18n.TEXT[lang]["ui.empty_title"] not in [s.value for s in at.subheader]


@pytest.mark.parametrize("page", PAGES)
def test_empty_warehouse_asks_to_load_data_first(warehouse_db: Path, page: str) -> None:
    at = app(page)
    if page == "load_data":
        assert at.get("file_uploader"), "the Load data page offers the upload form on an empty warehouse"
    elif page == "accounts":  # accounts come before data: the first admin is added to an empty warehouse
        assert [i.value for i in at.info] == [i18n.EN["acc.none"]] and at.get("text_input")
    else:
        assert i18n.EN["ui.empty_title"] in [s.value for s in at.subheader]
        # only the helpful state: no caption about a month that does not exist ("… at the end of n/a")
        assert not [c.value for c in at.caption if i18n.EN["ui.na"] in c.value]
        assert not at.metric and not at.dataframe


def test_portfolio_filter_narrows_active_projects_to_that_portfolio(demo_db: Path) -> None:
    period = latest_period()
    portfolios = [r[0] for r in snapshot_query("SELECT DISTINCT portfolio FROM dim_project WHERE portfolio IS NOT NULL "
                                               "ORDER BY 1")]
    assert len(portfolios) > 1, "the demo portfolio should have several portfolios"
    at = app()
    total = int(metric(at, "Active projects").replace(",", ""))
    at.multiselect(key="portfolio").set_value([portfolios[0]]).run()
    expected = snapshot_query(ACTIVE_AT, portfolio=portfolios[0], month_end=pd.Period(period).end_time.date())[0][0]
    assert int(metric(at, "Active projects").replace(",", "")) == expected
    assert 0 < expected < total
    assert at.query_params["portfolio"] == portfolios[0], "the filter is kept in the URL"


def test_a_copied_link_reopens_the_same_view(demo_db: Path) -> None:
    portfolio = snapshot_query("SELECT min(portfolio) FROM dim_project")[0][0]
    previous = str(pd.Period(latest_period()) - 1)
    at = app(portfolio=portfolio, period=previous, rag=["red", "grey"], lang="zh")
    assert at.multiselect(key="portfolio").value == [portfolio]
    assert at.multiselect(key="rag").value == ["red", "grey"]
    assert at.selectbox(key="period").value == previous
    assert at.title[0].value == "项目组合总览"


def test_month_selector_shows_the_month_as_it_stood(demo_db: Path) -> None:
    at = app()
    previous = str(pd.Period(latest_period()) - 1)
    at.selectbox(key="period").set_value(previous).run()
    assert ui.month_label(previous) in at.caption[0].value
    assert at.query_params["period"] == previous


def test_project_detail_shows_the_marts_figures(demo_db: Path) -> None:
    period = latest_period()
    project_id, bac, cpi, spi_t, currency = snapshot_query(
        "SELECT project_id, bac, cpi, spi_t, (SELECT currency FROM dim_project p WHERE p.project_id = e.project_id) "
        "FROM mart_evm e WHERE period = $period AND cpi IS NOT NULL "
        "AND spi_t IS NOT NULL AND project_id IN (SELECT project_id FROM mart_milestone_slip) "
        "ORDER BY project_id DESC LIMIT 1", period=period)[0]
    at = app("project_detail", project=project_id)
    assert at.selectbox(key="project_detail_project").value == project_id
    assert metric(at, "BAC") == ui.fmt_money(bac, currency) and metric(at, "BAC").startswith("€")
    assert metric(at, "CPI") == f"{cpi:.2f}"
    assert metric(at, "SPI(t)") == f"{spi_t:.2f}"
    milestones = snapshot_query(
        "SELECT count(*) FROM mart_milestone_slip WHERE project_id = $p AND as_of_date = "
        "(SELECT max(as_of_date) FROM mart_milestone_slip WHERE project_id = $p AND period <= $period)",
        p=project_id, period=period)[0][0]
    shown = next(d.value for d in at.dataframe if "milestone_id" in d.value)
    assert len(shown) == milestones


def test_overview_lists_projects_needing_attention_with_a_reason(demo_db: Path) -> None:
    at = app()
    attention = next(d.value for d in at.dataframe if "reason" in d.value)
    assert len(attention) and attention["reason"].str.len().gt(0).all()
    # the reason is what the reader needs: right after the name, not behind a horizontal scroll
    assert list(attention.columns[:3]) == ["project_id", "project_name", "reason"] and "manager" not in attention


def test_a_project_without_figures_shows_unknown_with_reasons(warehouse_db: Path, demo_files: Path) -> None:
    """Only the projects export loaded: no budget, no status report. Nothing is 0, everything says why."""
    from pipelines.cli import main as pmo

    projects = next(p for p in sorted(demo_files.iterdir()) if p.stem.startswith("projects"))
    assert pmo(["ingest", str(projects)]) == 0
    project_id = snapshot_query("SELECT min(project_id) FROM dim_project WHERE status = 'active'")[0][0]
    at = app("project_detail", project=project_id)
    for label in ("BAC", "% complete", "Health", "CPI"):
        assert metric(at, label) == i18n.EN["ui.unknown"], label
    captions = [c.value for c in at.caption]
    assert ui.md(i18n.EN["pd.unknown.no_budget"]) in captions  # the reason, one click away in the popover
    assert ui.md(i18n.EN["pd.unknown.no_status"]) in captions
    assert i18n.EN["pd.no_curve"] in captions and not at.get("plotly_chart"), "a caption, not an empty chart"


@pytest.mark.parametrize(("now", "before", "pattern", "points", "expected"), [
    (0.953, 0.951, "{:+.2f}", False, "±0.00"),  # moved less than the shown precision: no arrow, not red
    (0.949, 0.951, "{:+.2f}", False, "±0.00"),
    (0.93, 0.95, "{:+.2f}", False, "-0.02"),
    (12, 10, "{:+d}", False, "+2"),
    (10, 10, "{:+d}", False, "±0"),
    (0.812, 0.8, "{:+.1%}", True, "+1.2 pp"),
    (None, 0.8, "{:+.2f}", False, None),
    (float("nan"), 0.8, "{:+.2f}", False, None),
])
def test_one_month_over_month_change_for_every_tile(now, before, pattern, points, expected) -> None:
    assert ui.change(now, before, pattern, points=points) == expected


def test_tiles_keep_context_out_of_the_delta(demo_db: Path) -> None:
    """A delta (arrow, colour) is a change since last month; the SPI beside SPI(t) is context, under the value."""
    at = app("schedule")
    spi_t = next(m for m in at.metric if m.label == "SPI(t)")
    assert not spi_t.delta
    assert any(c.value.startswith("SPI (EV / PV): ") for c in at.caption)
    evm = app("budget_evm")
    for tile in (m for m in evm.metric if m.label in ("CPI", "SPI", "SPI(t)")):
        assert tile.delta and not tile.delta.startswith("-0.00"), tile.delta  # unchanged reads ±0.00


def test_what_changed_shows_three_decimals_when_two_read_the_same() -> None:
    from dashboard.metrics.overview import ratio_move

    before, after = pd.Series([0.951, 0.97, None]), pd.Series([0.949, 0.93, 0.9])
    assert ratio_move("SPI", before, after).tolist() == ["SPI 0.951 → 0.949", "SPI 0.97 → 0.93", "SPI — → 0.90"]


def test_tables_show_words_for_codes_and_n_a_for_gaps_and_download_the_same_words(demo_db: Path) -> None:
    at = app("issues_actions", lang="zh")
    shown = next(d for d in at.dataframe if "kind" in d.value)
    assert set(shown.value["status"]) <= {"未关闭", "处理中"} and "行动" in set(shown.value["kind"])
    assert shown.proto.placeholder == i18n.ZH["ui.na"]  # a missing value reads 不适用, not None
    raw = pd.DataFrame({"status": ["in_progress", None, "odd"], "kind": ["action", "issue", "decision"],
                        "document_type": ["lessons_learned", "status_report", "memo"], "title": ["open", "x", "y"]})
    words = tables.display_frame(raw)
    assert words["status"].tolist()[::2] == ["In progress", "odd"] and pd.isna(words["status"][1])
    assert words["document_type"].tolist() == ["Lessons learned", "Status report", "memo"]
    assert words["title"].tolist() == ["open", "x", "y"]  # free text is never translated
    csv = tables.to_csv(raw, tables.export(raw)).decode("utf-8-sig").splitlines()
    assert csv[:2] == ["Status,Kind,Document type,Title", "In progress,Action,Lessons learned,open"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_performance_says_which_projects_it_counts(demo_db: Path, lang: str) -> None:
    """By default the active portfolio (closed, cancelled, finished and on-hold projects left out); with
    ?scope=all every project with figures, the closed ones included, and the page says how many."""
    period = latest_period()
    every, complete, active = snapshot_query(
        "SELECT count(*), count(*) FILTER (WHERE h.is_complete), count(*) FILTER (WHERE p.status <> 'on_hold' "
        "AND p.project_id NOT IN (SELECT project_id FROM mart_closure)) "
        "FROM mart_health AS h JOIN dim_project AS p USING (project_id) WHERE h.period = $p", p=period)[0]
    for query, projects, closed in (({}, active, 0), ({"scope": "all"}, every, complete)):
        at = app("performance", lang=lang, **query)
        expected = i18n.TEXT[lang]["perf.scope"].format(projects=f"{projects:,}", complete=f"{closed:,}")
        assert expected in [c.value for c in at.caption]
    assert every - active >= complete > 0, "the demo's closed projects are counted only in the 'all' scope"


def test_loading_a_file_in_the_browser_runs_the_gate_and_publishes(warehouse_db: Path, demo_files: Path,
                                                                  tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    projects = next(p for p in sorted(demo_files.iterdir()) if p.stem.startswith("projects"))
    at = app("load_data")
    at.file_uploader(key="load_data_files").set_value([(projects.name, projects.read_bytes(), None)])
    at.button[0].click().run()
    assert not at.exception
    report = next(d.value for d in at.dataframe if "status" in d.value)
    assert set(report["status"]) <= {"Loaded", "Loaded with quarantine"}  # as words
    assert db.data_version() == 1
    status = at.status[0]  # the gate's st.status: its "Running …" label finished
    assert status.label == i18n.EN["load.finished"].format(files=1), status.label
    stored = uploads.stored_name(projects.name, projects.read_bytes())
    assert list(uploads.uploads_dir().glob(f"*/{stored}")), "kept beside the warehouse, under <db>.uploads/<when>/"
    assert uploads.uploads_dir() == warehouse_db.with_name("pmo.duckdb.uploads")
    assert list(report["uploaded_as"]) == [projects.name] and list(report["file"]) == [stored]


def upload(name: str, text: str) -> AppTest:
    at = app("load_data")
    at.file_uploader(key="load_data_files").set_value([(name, text.encode(), None)])
    at.button[0].click().run()
    assert not at.exception
    return at


def test_two_different_files_of_the_same_name_are_both_kept_and_loaded(warehouse_db: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_paths([sf.write(tmp_path / "in", s) for s in ("projects", "people")], db=warehouse_db)
    header = "employee_id,project_id,work_date,hours,activity,billable\n"
    ann = upload("timesheets.csv", header + "E1,P1,2026-03-02,8,build,yes\n")  # two people, one name
    bob = upload("timesheets.csv", header + "E2,P1,2026-03-03,4,test,yes\n")
    names = []
    for at in (ann, bob):
        report = next(d.value for d in at.dataframe if "status" in d.value)
        assert list(report["uploaded_as"]) == ["timesheets.csv"] and list(report["status"]) == ["Loaded"]
        names += list(report["file"])
    assert names[0] != names[1] and all(re.fullmatch(r"timesheets\.upload-[a-p]{8}\.csv", n) for n in names)
    con = duckdb.connect(str(current_snapshot(settings.db_path())[1]), read_only=True)
    try:
        assert con.execute("SELECT file_name, status, rows_loaded FROM load_log WHERE source = 'timesheets' "
                           "ORDER BY loaded_at").fetchall() == [(names[0], "loaded", 1), (names[1], "loaded", 1)]
    finally:
        con.close()
    assert sorted(p.name for p in uploads.uploads_dir().glob("*/*")) == sorted(names)
    again = upload("timesheets.csv", header + "E2,P1,2026-03-03,4,test,yes\n")  # Bob's file once more
    assert [i.value for i in again.info] == [i18n.EN["load.unchanged"].format(files=1)] and not again.success


def test_an_upload_over_the_size_cap_is_refused_and_old_uploads_are_cleaned(warehouse_db: Path, tmp_path: Path,
                                                                           edited_config) -> None:
    root = uploads.uploads_dir()
    edited_config({"max_total_bytes = 2_147_483_648": "max_total_bytes = 1_000",
                   "max_file_bytes = 209_715_200": "max_file_bytes = 700"})
    at = upload("timesheets.csv", "x" * 701)
    assert any("timesheets.csv is 0.0 MiB, over the limit of 0 MiB per file ([uploads] max_file_bytes"
               in e.value.replace("\\", "") for e in at.error)  # the name is Markdown-escaped
    at = app("load_data")  # two files, each under the file limit, together over the total
    at.file_uploader(key="load_data_files").set_value([("a.csv", b"a" * 600, None), ("b.csv", b"b" * 600, None)])
    at.button[0].click().run()
    assert any("over its cap of 0 MiB" in e.value and "[uploads] max_total_bytes" in e.value for e in at.error)
    assert not root.exists() or not any(root.iterdir()), "nothing of a refused upload is saved"
    old = uploads.save([sf.Upload("a.csv", b"a" * 600)], now=datetime(2026, 1, 1))
    keep = root / "notes"  # not an upload folder: never deleted
    keep.mkdir()
    with pytest.raises(uploads.UploadRefused):  # 600 + 600 bytes > 1,000 while January's upload is kept
        uploads.save([sf.Upload("b.csv", b"b" * 600)], now=datetime(2026, 3, 1))
    new = uploads.save([sf.Upload("b.csv", b"b" * 600)], now=datetime(2026, 4, 2))  # 91 days on: January's goes
    assert not old.exists() and new.exists() and keep.exists()


def test_full_width_formula_starts_are_neutralised_too() -> None:
    df = pd.DataFrame({"text": ["＝1+1", "＋cmd", "－2", "＠SUM(A1)", "ｐlain"]})
    spec = tables.export(df)
    assert tables.to_csv(df, spec).decode("utf-8-sig").splitlines()[1:] == ["'＝1+1", "'＋cmd", "'－2", "'＠SUM(A1)",
                                                                          "ｐlain"]
    sheet = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(df, spec))).active
    assert [c.value for c in sheet["A"]][-5:] == ["'＝1+1", "'＋cmd", "'－2", "'＠SUM(A1)", "ｐlain"]


def test_downloads_neutralise_spreadsheet_formulas() -> None:
    df = pd.DataFrame({"text": ["=1+1", "+cmd", "-2", "@SUM(A1)", "plain"], "number": [-1, 2, 3, 4, 5]})
    spec = tables.export(df)
    csv = tables.to_csv(df, spec).decode("utf-8-sig").splitlines()
    assert csv[1:] == ["'=1+1,-1", "'+cmd,2", "'-2,3", "'@SUM(A1),4", "plain,5"]
    heading = tables.Heading("=HYPERLINK(1)", (("Portfolio", "@evil"),))
    sheet = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(df, replace(spec, heading=heading)))).active
    assert [c.value for c in sheet["A"]] == ["'=HYPERLINK(1)", "Portfolio", "Exported", None, "Text", "'=1+1", "'+cmd",
                                             "'-2", "'@SUM(A1)", "plain"]
    assert sheet["B2"].value == "'@evil" and all(c.data_type == "s" for c in sheet["A"] if c.value is not None)


def test_an_xlsx_download_names_its_month_and_filters_and_keeps_numbers_as_numbers() -> None:
    """Headers and words in the reader's language; a share stays 0.862 shown 86.2 %, money in its currency."""
    df = pd.DataFrame({"project_id": ["P1", "P2"], "computed_rag": ["red", None], "status": ["in_progress", "open"],
                       "utilisation": [0.862, 1.478], "eac": [1_234_567.891, 250_000.0], "cpi": [0.8951, 1.0],
                       "currency": ["EUR", "EUR"]})
    heading = tables.Heading("Resources", (("Month", "Oct 2026"), ("Portfolio", "Growth, Run")))
    spec = replace(tables.export(df), heading=heading)
    book = openpyxl.load_workbook(io.BytesIO(tables.to_xlsx(df, spec)))
    assert book.sheetnames == ["Resources"]
    sheet = book.active
    assert [[c.value for c in row[:2]] for row in sheet.iter_rows(max_row=4)] == [
        ["Resources", None], ["Month", "Oct 2026"], ["Portfolio", "Growth, Run"], ["Exported", sheet["B4"].value]]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", sheet["B4"].value)
    assert [c.value for c in sheet[6]] == ["Project", "Computed RAG", "Status", "Utilisation", "EAC", "CPI",
                                           "Currency"]
    assert [c.value for c in sheet[7]] == ["P1", "Red", "In progress", 0.862, 1_234_567.891, 0.8951, "EUR"]
    assert sheet["B8"].value == "Unknown"  # a missing RAG is never blank, never green
    assert (sheet["D7"].number_format, sheet["E7"].number_format, sheet["F7"].number_format) == (
        "0.0%", '"€"#,##0.00', "0.00")
    mixed = df.assign(currency=["EUR", "USD"])  # amounts in two currencies: no symbol, each row beside its own
    assert tables.export(mixed).formats["EAC"] == "#,##0.00"


def test_the_common_cte_goes_first_in_a_with_query() -> None:
    sql = db.sql_text("overview_risk_moves")
    assert sql.index("filtered_projects AS (") < sql.index("risk AS (")
    # filtered_projects reads closed_projects (the active scope), so that one comes first
    assert db.sql_text("overview_projects").lstrip().startswith("WITH closed_projects AS (")
    both = db.sql_text("schedule_milestones")
    assert both.index("closed_projects AS (") < both.index("filtered_projects AS (") < both.index("milestone AS (")
    assert "filtered_projects AS (" not in db.sql_text("project_evm")


def test_both_languages_have_every_key() -> None:
    assert set(i18n.EN) == set(i18n.ZH)


def test_data_quality_shows_the_demo_export_that_failed_the_gate(demo_db) -> None:
    # pmo demo's data-quality story: risks_2026-10.csv scored two impacts 10 (1..5): a source failing in use,
    # although the last risks file loaded (risks_history.csv) passed every check
    from pipelines.demo import BAD_EXPORT_ROWS

    at = app("data_quality")
    assert metric(at, "Failing sources") == "1" and metric(at, "Quarantined rows") == str(BAD_EXPORT_ROWS)
    failed = next(d.value for d in at.dataframe if "unexpected_count" in d.value.columns)
    assert failed[["source", "file_name", "rule", "unexpected_count"]].values.tolist() == [
        ["Risks", "risks_2026-10.csv", "impact_between_1_and_5", BAD_EXPORT_ROWS]]  # the source in words


def test_data_quality_lists_rows_a_later_load_replaced(warehouse_db: Path, tmp_path: Path) -> None:
    header = "employee_id,project_id,work_date,hours,activity,billable\n"
    ingest_paths([sf.write(tmp_path / "in", s) for s in ("projects", "people")], db=warehouse_db)
    ingest_paths([sf.write(tmp_path / "a", "timesheets", header + "E1,P1,2026-03-02,8,build,yes\n"
                           "E2,P1,2026-03-03,4,test,yes\n")], db=warehouse_db)
    fix = tmp_path / "b" / "timesheets_fix.csv"
    fix.parent.mkdir()
    fix.write_text(header + "E2,P1,2026-03-03,5,test,yes\n")
    ingest_paths([fix], db=warehouse_db)
    at = app("data_quality")
    assert not at.exception
    replaced = next(d.value for d in at.dataframe if "rows_replaced" in d.value.columns)
    assert replaced[["source", "replaced_by", "file_name", "rule", "rows_replaced"]].values.tolist() == [
        ["Timesheets", "timesheets_fix.csv", "timesheets.csv", "same_grain", 1]]
    at.toggle(key="data_quality_history").set_value(True).run()
    history = next(d.value for d in at.dataframe if "rows_now" in d.value.columns)
    counts = history.set_index("file_name").loc[["timesheets.csv", "timesheets_fix.csv"],
                                                 ["rows_loaded", "rows_replaced_later", "rows_now"]]
    assert counts.values.tolist() == [[2, 1, 1], [1, 0, 1]]


def test_a_link_to_an_unknown_project_says_so_and_shows_no_other(demo_db: Path) -> None:
    at = app("project_detail", project="NOPE")
    assert any("No project NOPE in the warehouse" in w.value for w in at.warning)
    assert not at.metric and not at.get("plotly_chart")  # not silently another project's figures
    known = app("project_detail", project="PRJ-001")
    assert not known.warning and known.metric


def test_a_failing_page_shows_an_incident_id_not_a_traceback(demo_db: Path, monkeypatch, caplog) -> None:
    from dashboard.metrics import overview

    def broken(*_args, **_kwargs):
        raise RuntimeError("could not open /srv/secret/warehouse.duckdb")

    monkeypatch.setattr(overview, "headline", broken)
    at = app()
    assert not at.exception
    [error] = at.error
    assert "incident" in error.value and "/srv/secret" not in error.value and "Traceback" not in error.value
    incident = error.value.split("incident ")[1][:8]
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)  # the details: server log


def test_markdown_of_a_value_never_links_a_bare_url_or_address() -> None:
    shown = ui.md("see https://evil.example/x, www.evil.example or boss@evil.example")
    assert shown == ("see https\u2060\\://evil\\.example/x, www\u2060\\.evil\\.example or boss@\u2060evil\\.example")


def test_the_upload_report_names_files_never_server_paths() -> None:
    said = ("error: FileNotFoundError: [Errno 2] No such file or directory: '/srv/pmo/data/uploads/20261204/a.csv'\n"
            "warehouse busy: pmo ingest b.csv since 2026-12-04 10:42, pid 4242; waiting … see /srv/pmo/data/x.log")
    assert uploads.without_paths(said) == (
        "error: FileNotFoundError: [Errno 2] No such file or directory: 'a.csv'\n"
        "warehouse busy: pmo ingest b.csv since 2026-12-04 10:42, pid 4242; waiting … see x.log")


def test_amounts_carry_their_currency_and_chinese_keeps_enough_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ui.fmt_money(108_130_000, "EUR") == "€108.1 M" and ui.fmt_money(12e6, "CHF") == "12.0 M CHF"
    assert ui.fmt_money(980, "GBP") == "£980" and ui.fmt_money(None, "EUR") == "n/a"
    assert ui.one_currency(["EUR"]) == ("EUR", None) and ui.one_currency([]) == (None, None)
    currency, mixed = ui.one_currency(["EUR", "GBP"])
    assert currency is None and mixed == i18n.EN["ui.mixed_currencies"].format(currencies="EUR, GBP")
    monkeypatch.setattr(ui, "language", lambda: "zh")
    eac, bac = 108_100_000, 110_100_000  # 1.8 % apart: they must not both read 1.1 亿
    assert (ui.fmt_money(eac, "EUR"), ui.fmt_money(bac, "EUR")) == ("€1.08 亿", "€1.10 亿")
    assert ui.fmt_money(1_250_000, "CNY") == "¥125.0 万"


def test_the_overview_says_so_instead_of_adding_up_two_currencies(warehouse_db: Path, tmp_path: Path) -> None:
    header = "project_id,project_name,portfolio,programme,department,manager,lifecycle_stage,status,start_date," \
             "planned_finish_date,budget_at_completion,currency\n"
    projects = tmp_path / "in" / "projects.csv"
    projects.parent.mkdir()
    projects.write_text(header + "P1,Alpha,Growth,Digital,IT,Ann,execution,active,2026-01-01,2026-06-30,100000,EUR\n"
                        "P2,Beta,Growth,Digital,Ops,Bob,execution,active,2026-01-01,2026-06-30,50000,GBP\n")
    budgets = tmp_path / "in" / "budgets.csv"
    budgets.write_text("project_id,period,cost_category,planned_cost,actual_cost\n"
                       "P1,2026-01,labour,50000,40000\nP1,2026-02,labour,50000,\n"
                       "P2,2026-01,labour,25000,30000\nP2,2026-02,labour,25000,\n")
    status = tmp_path / "in" / "status.csv"
    status.write_text("project_id,report_date,percent_complete,overall_rag,as_of_date\n"
                      "P1,2026-01-30,50,green,2026-01-31\nP2,2026-01-30,40,amber,2026-01-31\n")
    ingest_paths([projects, budgets, status], db=warehouse_db)
    at = app("overview")
    tiles = {m.label: m.value for m in at.metric}
    assert [tiles[i18n.EN[k]] for k in ("ov.eac_bac", "ov.cpi", "ov.spi")] == [i18n.EN["ui.unknown"]] * 3
    said = i18n.EN["ui.mixed_currencies"].format(currencies="EUR, GBP")
    assert said in [c.value.replace("\\", "") for c in at.caption], "the reason, one click away"


ENGLISH_REASONS = [text.split("{")[0].strip() for key, text in i18n.TEXT["en"].items() if key.startswith("why.")]


def test_the_marts_reasons_read_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "language", lambda: "zh")
    assert i18n.reasons("no budget plan (BAC unknown); status report stale (64 days old); a new reason") == \
        "无预算计划（BAC 未知）；状态报告已过期（64 天前）；a new reason"  # one not in the catalogue stays as written
    monkeypatch.setattr(i18n, "language", lambda: "en")
    assert i18n.reasons("status report stale (64 days old)") == "status report stale (64 days old)"


@pytest.mark.parametrize(("page", "query"), [("overview", {}), ("project_detail", {"project": "PRJ-006"}),
                                             ("performance", {}), ("changes", {})])
def test_a_chinese_page_shows_no_english_reason(demo_db: Path, page: str, query: dict) -> None:
    at = app(page, lang="zh", **query)
    texts = [str(e.value) for kind in ("markdown", "caption", "info", "warning") for e in getattr(at, kind)]
    shown = "\n".join([*texts, *(d.value.to_csv() for d in at.dataframe)])
    assert not [r for r in ENGLISH_REASONS if r in shown]
    if page == "project_detail":  # PRJ-006's October risks failed the gate: its health is unknown, saying why
        assert "风险数据未通过质量关卡（风险驱动因素未知）" in shown
    if page == "changes":  # change types read as words too
        types = set(next(d for d in at.dataframe if "change_type" in d.value.columns).value["change_type"])
        assert types == {"范围", "进度", "成本", "资源", "质量"}


def test_gate_statuses_read_in_chinese(demo_db: Path) -> None:
    at = app("data_quality", lang="zh")
    sources = next(d for d in at.dataframe if "last_status" in d.value.columns)
    shown = set(sources.value["last_status"].dropna())
    assert shown and shown <= {i18n.TEXT["zh"][f"status.{s}"] for s in
                               ("loaded", "loaded_with_quarantine", "rejected", "superseded", "unchanged")}, shown


def test_what_changed_gives_eac_moves_in_their_currency(demo_db: Path) -> None:
    from dashboard.filters import Filters
    from dashboard.metrics import overview

    moves = overview.changes(Filters(scope="all", period=latest_period()))
    eac = moves[moves["kind"] == i18n.EN["ov.change.eac"]]
    assert len(eac), "the demo's October has EAC moves"
    assert eac["before"].str.match(r"€[\d,.]+ (M|k|bn)$").all() and eac["after"].str.match(r"€[\d,.]+ (M|k|bn)$").all()


def test_a_register_short_of_quarantined_rows_says_so(demo_db: Path) -> None:
    """PRJ-006's two October risks scored on a 1-10 scale were held back: its risk tab says so, PRJ-001's does not."""
    warned = [w.value for w in app("project_detail", project="PRJ-006").warning]
    assert i18n.EN["pd.quarantined"].format(rows=2, rules="impact\\_between\\_1\\_and\\_5") in warned, warned
    assert not [w.value for w in app("project_detail", project="PRJ-001").warning]


def test_the_what_changed_list_sends_its_first_rows_and_says_how_many_there_are(demo_db: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """At large scale "what changed" runs to tens of thousands of rows: the page sends SCREEN_ROWS of them (20
    here), RAG moves first, and says how many the download holds."""
    from dashboard.filters import Filters
    from dashboard.metrics import overview

    monkeypatch.setattr(ui, "SCREEN_ROWS", 20)
    at = app("overview")
    sent = next(d.value for d in at.dataframe if "cause" in d.value.columns)
    total = len(overview.changes(Filters(period=latest_period())))
    assert total > 20 and len(sent) == 20
    assert sent["kind"].iloc[0] == i18n.EN["ov.change.rag"]
    assert i18n.EN["ui.rows_capped"].format(shown="20", total=f"{total:,}") in [c.value for c in at.caption]


@pytest.fixture(scope="module")
def large_portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthesized portfolio large enough for the pages' caps to bite: 700 projects, 1,500 people."""
    db = tmp_path_factory.mktemp("large-portfolio") / "pmo.duckdb"
    synthesize(db, projects=700, people=1_500, months=12, timesheets=150_000)
    return db


def test_no_page_sends_more_rows_or_bubbles_than_a_reader_can_see(large_portfolio: Path, use_warehouse) -> None:
    """On a portfolio of 700 projects and 1,500 people, every table of every page sends at most SCREEN_ROWS (200)
    rows and says how many there are, Resources' people (on demand) too; the overview's bubble chart draws BUBBLES
    (300) projects one by one and the rest grouped, every active project with both indices counted once."""
    from dashboard.charts import overview as chart

    use_warehouse(large_portfolio)
    capped = set()
    for page in PAGES:
        at = app(page)
        if page == "resources":
            at.toggle(key="resources_show_all").set_value(True).run()
        assert all(len(d.value) <= ui.SCREEN_ROWS for d in at.dataframe), page
        if any(c.value.startswith(f"Showing the first {ui.SCREEN_ROWS} of") for c in at.caption):
            capped.add(page)
    assert {"overview", "resources", "risks", "changes", "issues_actions", "documents"} <= capped, capped
    spec = next(spec for chart_ in app("overview").get("plotly_chart") if (spec := json.loads(chart_.proto.spec))
                ["layout"]["title"]["text"] == i18n.EN["ov.bubble"])
    alone = [t for t in spec["data"] if t["mode"] == "markers+text"]
    grouped = [t for t in spec["data"] if t["mode"] == "markers"]
    assert sum(len(trace_values(t["x"])) for t in alone) == chart.BUBBLES and grouped
    from dashboard.filters import Filters
    from dashboard.metrics import overview

    projects = overview.projects(Filters(period=latest_period()))
    drawable = projects[projects["is_active"] & projects["cpi"].notna() & projects["spi_t"].notna()]
    assert len(drawable) > chart.BUBBLES
    assert chart.BUBBLES + sum(int(row[0]) for t in grouped for row in trace_values(t["customdata"])) == len(drawable)


def test_uploads_run_in_one_warm_worker_that_comes_back_when_killed(warehouse_db: Path, tmp_path: Path) -> None:
    """The browser's loads are forks of one worker that imported great-expectations once: the second upload uses
    the same worker; a killed worker is started again by the next upload, which still loads."""
    ingest_paths([sf.write(tmp_path / "in", s) for s in ("projects", "people")], db=warehouse_db)
    header = "employee_id,project_id,work_date,hours,activity,billable\n"

    def loaded(at: AppTest) -> list[str]:
        return list(next(d.value for d in at.dataframe if "status" in d.value)["status"])

    assert loaded(upload("timesheets_a.csv", header + "E1,P1,2026-03-02,8,build,yes\n")) == ["Loaded"]
    worker = uploads.WORKER.process
    assert worker is not None and worker.poll() is None
    assert loaded(upload("timesheets_b.csv", header + "E2,P1,2026-03-03,4,test,yes\n")) == ["Loaded"]
    assert uploads.WORKER.process is worker
    worker.kill()
    worker.wait()
    assert loaded(upload("timesheets_c.csv", header + "E2,P2,2026-03-04,2,test,no\n")) == ["Loaded"]
    assert uploads.WORKER.process is not worker and uploads.WORKER.process.poll() is None


def test_a_worker_job_runs_in_a_fork_with_its_own_environment_and_output() -> None:
    import os
    import signal

    from pipelines.worker import run

    def command(argv: list[str]) -> int:
        print(f"{argv[0]} {os.environ['PMO_TEST_VALUE']}")
        print("to stderr", file=__import__("sys").stderr)
        return 7

    assert run(command, ["hello"], {"PMO_TEST_VALUE": "42"}) == {
        "returncode": 7, "stdout": "hello 42\n", "stderr": "to stderr\n"}
    assert "PMO_TEST_VALUE" not in os.environ  # the job's environment stayed in the child

    def bad_arguments(argv: list[str]) -> int:
        raise SystemExit(2)

    assert run(bad_arguments, [], {})["returncode"] == 2
    assert run(lambda argv: os.kill(os.getpid(), signal.SIGKILL) or 0, [], {})["returncode"] == -signal.SIGKILL



def test_what_changed_is_worked_out_once_per_snapshot_and_language_for_every_session(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten colleagues on the overview format its "what changed" list once: the frame is shared by every session
    of the same snapshot, filters, language and portfolios; another language or a new snapshot works it out again;
    a caller's change to its frame never reaches the shared one."""
    import streamlit as st

    from dashboard import filters
    from dashboard.metrics import overview

    worked_out: list[int] = []  # rows of RAG moves formatted, per time the list is worked out
    rag_moves = overview._rag_moves
    monkeypatch.setattr(overview, "_rag_moves", lambda df: (worked_out.append(len(df)), rag_moves(df))[1])
    st.cache_resource.clear()
    first, second = app(), app()
    assert len(worked_out) == 1 and worked_out[0] > 0
    shown = [next(d.value for d in at.dataframe if "cause" in d.value) for at in (first, second)]
    assert shown[0].equals(shown[1]) and len(shown[0]) > 0
    app(lang="zh")
    assert len(worked_out) == 2

    latest = filters.Filters(period=filters.periods()[0])  # the overview's default view, in English
    mine = overview.changes(latest)
    mine["kind"] = "changed by a caller"
    assert "changed by a caller" not in set(overview.changes(latest)["kind"])
    assert len(worked_out) == 2  # both were the frame the English sessions share
    monkeypatch.setattr(db, "data_version", lambda: 10**6)  # a newer snapshot
    app()
    assert len(worked_out) == 3


def test_a_query_result_is_shared_by_sessions_and_a_callers_change_never_reaches_the_cache(demo_db: Path) -> None:
    """Every session reads the same cached frame of a query (no copy per read); what one caller does to its frame,
    a column replaced or a cell set, never shows in the next caller's."""
    periods = db.run("filters_periods")
    months = periods["period"].tolist()
    assert len(months) > 1
    periods.loc[0, "period"] = "1999-01"
    periods["period"] = "changed by a caller"
    assert db.run("filters_periods")["period"].tolist() == months


def test_a_snapshot_connection_let_go_keeps_its_running_cursors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    """Queries run on cursors of one kept connection per snapshot file; past the newest four, the oldest is let go,
    and a cursor a session still holds on it keeps reading (closing it would fail that session's query)."""
    monkeypatch.setattr(db, "_OPEN", type(db._OPEN)())
    files = []
    for version in range(1, 6):
        files.append(str(tmp_path / f"v{version}.duckdb"))
        with duckdb.connect(files[-1]) as con:
            con.execute("CREATE TABLE t AS SELECT ? AS version", [version])
    running = db._cursor(files[0])
    assert [db._cursor(f).execute("SELECT version FROM t").fetchone() for f in files] == [(v,) for v in range(1, 6)]
    assert list(db._OPEN) == files[1:]
    assert running.execute("SELECT version FROM t").fetchone() == (1,)
    running.close()
