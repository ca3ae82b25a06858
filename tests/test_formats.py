"""Schedules (P6 XER, MS Project XML) and mapping presets: real third-party exports and small cases.

The real exports live beside the project (../shared/samples, see its README for provenance and
licences) and are never copied into the repository; tests that need them take the `samples`
fixture, which skips with the reason when the folder is absent. Expected values are derived from
the files here (csv / ElementTree) or checked by hand against the raw text, as noted.
"""

from __future__ import annotations

import csv
import io
import shutil
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from marts_support import query

from contract.batch import InputError, StagedBatch
from pipelines import ingest
from pipelines.formats import handler_for, presets, xer
from pipelines.formats.schedule import NOT_IN_BASELINE, knows_nothing

BASELINE, UPDATE_1121, UPDATE_1204 = "BL-54069-B2-20250902.xer", "UP-54069-20251121.xer", "UP-54069-20251204.xer"


@pytest.fixture
def con(tmp_path: Path):
    """A per-load scratch database, as the orchestrator gives a handler."""
    connection = duckdb.connect(str(tmp_path / "staging.duckdb"))
    connection.execute("SET enable_progress_bar = false")
    yield connection
    connection.close()


def stage(con, path: Path, *, as_of: date | None = None, baseline: bool = False,
          mapping: str | None = None) -> dict[str, StagedBatch]:
    handler = handler_for(path, mapping)
    assert handler is not None, f"{path.name} is not recognised"
    return {b.source: b for b in handler(con, path, as_of=as_of, baseline=baseline, known=knows_nothing)}


def rows(con, batch: StagedBatch, where: str = "TRUE", params: list | None = None) -> list[dict]:
    cur = con.execute(f"SELECT * FROM {batch.table} WHERE {where} ORDER BY _source_row", params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# --- recognising files (no samples needed) ----------------------------------------------------------

MSPDI_MINI = """<?xml version="1.0" encoding="UTF-8"?>
<!-- exported -->
<Project xmlns="http://schemas.microsoft.com/project"><Name>Mini.mpp</Name><Title>Mini</Title>
<StatusDate>2026-03-31T17:00:00</StatusDate><StartDate>2026-01-05T08:00:00</StartDate>
<FinishDate>2026-06-30T17:00:00</FinishDate><CurrencyCode>EUR</CurrencyCode>
<Tasks>
 <Task><UID>0</UID><Name>Mini</Name><OutlineLevel>0</OutlineLevel><Summary>1</Summary><PercentComplete>25</PercentComplete>
  <Cost>1000</Cost><Baseline><Number>0</Number><Cost>900</Cost></Baseline></Task>
 <Task><UID>7</UID><Name>Design</Name><Summary>0</Summary><Milestone>0</Milestone><Duration>PT80H0M0S</Duration>
  <RemainingDuration>PT40H0M0S</RemainingDuration></Task>
 <Task><UID>9</UID><Name>Go live</Name><Summary>0</Summary><Milestone>1</Milestone><Finish>2026-06-15T17:00:00</Finish>
  <Baseline><Number>0</Number><Finish>2026-06-01T17:00:00</Finish></Baseline></Task>
</Tasks></Project>
"""


def test_handler_for_recognises_schedules_and_presets_and_leaves_canonical_files(tmp_path: Path) -> None:
    files = {
        "plan.xer": "ERMHDR\t23.12\n",
        "plan.xml": MSPDI_MINI,
        "other.xml": '<?xml version="1.0"?><Project><Name>not MS Project</Name></Project>',
        "projects.csv": "project_id,project_name\nP1,Alpha\n",
        "gmpp.csv": "year;project_number;colour_rating;colour_rating;wlc_baseline_incl_NCG;forecast_incl_NGC\n",
        "est-act-dates.csv": "TaskNumber,EstimateOn,StartedOn,CompletedOn\n1,02-Nov-04,,\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert handler_for(tmp_path / "plan.xer", None) is not None
    assert handler_for(tmp_path / "plan.xml", None) is not None
    assert handler_for(tmp_path / "other.xml", None) is None
    assert handler_for(tmp_path / "projects.csv", None) is None
    assert handler_for(tmp_path / "gmpp.csv", None).keywords["preset"].name == "uk_gmpp"
    companion = handler_for(tmp_path / "est-act-dates.csv", None)
    assert companion(None, tmp_path / "est-act-dates.csv", as_of=None, baseline=False) == []
    assert handler_for(tmp_path / "projects.csv", "capital_register").keywords["preset"].name == "capital_register"
    with pytest.raises(InputError, match="no mapping preset 'nope'; available: capital_register, sip_effort, uk_gmpp"):
        handler_for(tmp_path / "projects.csv", "nope")


def test_every_preset_loads_and_is_documented() -> None:
    readme = (presets.MAPPINGS / "README.md").read_text(encoding="utf-8")
    assert presets.available() == ["capital_register", "sip_effort", "uk_gmpp"]
    for name in presets.available():
        preset = presets.find(name)
        assert preset.batches and preset.detect, name
        assert f"`{name}`" in readme, f"{name} is missing from pipelines/mappings/README.md"


def test_mspdi_with_status_date_baseline_and_costs(con, tmp_path: Path, warehouse_db: Path) -> None:
    path = tmp_path / "plan.xml"
    path.write_text(MSPDI_MINI, encoding="utf-8")
    batches = stage(con, path, as_of=date(2030, 1, 1))  # the file's StatusDate wins over --as-of
    [project] = rows(con, batches["projects"])
    assert (project["project_id"], project["project_name"], project["budget_at_completion"], project["currency"]) == \
        ("Mini", "Mini", 900.0, "EUR")  # baseline cost of the summary task
    [status] = rows(con, batches["status"])
    assert (status["report_date"], status["percent_complete"]) == (date(2026, 3, 31), 25.0)
    [milestone] = rows(con, batches["milestones"])
    assert (milestone["milestone_id"], milestone["baseline_date"], milestone["forecast_date"],
            milestone["as_of_date"]) == ("9", date(2026, 6, 1), date(2026, 6, 15), date(2026, 3, 31))


# --- malformed input names file, row and column ------------------------------------------------------

XER_HEAD = "ERMHDR\t23.12\t2026-01-01\tProject\tuser\tA Person\tdb\tPM\tUSD\n"
XER_PROJECT = ("%T\tPROJECT\n%F\tproj_id\tproj_short_name\tlast_recalc_date\n%R\t1\tP-1\t2026-02-27 17:00\n"
               "%T\tTASK\n%F\tproj_id\ttask_code\ttask_name\ttask_type\tearly_end_date\tact_end_date\t"
               "target_end_date\ttarget_drtn_hr_cnt\tremain_drtn_hr_cnt\n")


@pytest.mark.parametrize(("text", "rule", "row", "column"), [
    ("not an export\n", "xer_header", 1, None),
    (XER_HEAD + XER_PROJECT + "%R\t1\tM1\tGo live\tTT_FinMile\t31/02/2026\t\t\t0\t0\n", "xer_value", 7,
     "TASK.early_end_date"),
    (XER_HEAD + XER_PROJECT + "%R\t1\tM1\tGo live\tTT_FinMile\t\t\t\t0\t0\textra\textra\n", "xer_structure", 7, "TASK"),
    (XER_HEAD + "%R\t1\n", "xer_structure", 2, None),
    (XER_HEAD + "%T\tPROJECT\n%F\tproj_id\n", "xer_structure", None, None),
], ids=["not-xer", "bad-date", "too-many-values", "record-before-table", "no-task-table"])
def test_malformed_xer_is_an_input_error_naming_row_and_column(con, tmp_path: Path, warehouse_db: Path, text: str,
                                                               rule: str, row: int | None, column: str | None) -> None:
    path = tmp_path / "bad.xer"
    path.write_text(text, encoding="cp1252")
    with pytest.raises(InputError) as caught:
        stage(con, path)
    err = caught.value
    assert (err.file, err.rule, err.row, err.column) == ("bad.xer", rule, row, column), str(err)


def test_malformed_mspdi_is_an_input_error_with_its_line(con, tmp_path: Path, warehouse_db: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(MSPDI_MINI.replace("</Tasks>", "</Task>"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        stage(con, path)
    assert (caught.value.file, caught.value.rule, caught.value.row) == ("bad.xml", "xml_malformed", 13)


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE Project [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>',  # an inline DTD (entity expansion)
    '<!DOCTYPE Project SYSTEM "http://example.invalid/project.dtd">',  # an external one
])
def test_an_xml_declaring_a_dtd_is_refused_for_safety_naming_the_file(tmp_path: Path, warehouse_db: Path,
                                                                       doctype: str) -> None:
    path = tmp_path / "plan_with_dtd.xml"
    path.write_text(MSPDI_MINI.replace("<!-- exported -->", doctype), encoding="utf-8")
    (result,) = ingest.ingest_paths([path], db=warehouse_db)
    assert result.status == "rejected" and result.file == "plan_with_dtd.xml"
    assert "DTDs are refused for safety" in result.message and "unsupported" not in result.message


def test_stable_project_id_strips_copy_markers() -> None:
    assert xer.stable_project_id("BL-54069-B2-20250902") == "54069"
    assert xer.stable_project_id("UP-54069-20251121") == "54069"
    assert xer.stable_project_id("CHILLER-4") == "CHILLER-4"
    assert xer.stable_project_id("UP-20251121") == "UP-20251121"  # nothing but markers: kept whole


# --- a user preset exercises every column kind (no samples needed) ------------------------------------

USER_PRESET = """
[preset]
name = "register"
detect = ["Ref", "Cost (m)"]
withheld = ['^Withheld']

[[batch]]
source = "projects"
[batch.columns]
project_id = "Ref"
project_name = { template = "Project {Ref}" }
start_date = "Start"
planned_finish_date = { columns = ["Finish", "Start"] }
budget_at_completion = { column = "Cost (m)", scale = 1_000_000, round = 2, blank = "withheld" }
status = { column = "State", map = { "Live" = "active", "Done" = "closed" }, unmapped = "keep" }
currency = { value = "EUR" }
"""


def test_user_preset_templates_maps_scales_and_withholds(con, tmp_path: Path) -> None:
    preset = tmp_path / "register.toml"
    preset.write_text(USER_PRESET, encoding="utf-8")
    data = tmp_path / "register.csv"
    data.write_text("Ref,Start,Finish,Cost (m),State\n"
                    "A1,01.02.2026,30.06.2026,1.1,live\n"
                    "A2,01.03.2026,,Withheld: commercial,Paused\n"
                    "A3,01.04.2026,30.09.2026,,Done\n"
                    "A4,01.05.2026,30.10.2026,twelve,Live\n", encoding="utf-8")
    batch = stage(con, data, mapping=str(preset))["projects"]
    got = {r["project_id"]: r for r in rows(con, batch)}
    assert got["A1"]["project_name"] == "Project A1" and got["A1"]["budget_at_completion"] == 1_100_000.0
    assert (got["A1"]["status"], got["A2"]["status"], got["A3"]["status"]) == ("active", "Paused", "closed")
    assert got["A2"]["planned_finish_date"] == date(2026, 3, 1) and got["A1"]["currency"] == "EUR"
    assert got["A2"]["budget_at_completion"] is None and got["A2"]["_cast_errors"] is None
    assert got["A2"]["_withheld"] == "budget_at_completion='Withheld: commercial'"
    assert got["A3"]["_withheld"] == "budget_at_completion='(blank)'"
    assert got["A4"]["_cast_errors"] == "budget_at_completion='twelve'" and got["A4"]["_withheld"] is None


def test_withheld_cells_load_empty_and_are_kept_in_quarantine(tmp_path: Path, warehouse_db: Path) -> None:
    preset = tmp_path / "register.toml"
    preset.write_text(USER_PRESET, encoding="utf-8")
    data = tmp_path / "register.csv"
    data.write_text("Ref,Start,Finish,Cost (m),State\n"
                    "A1,01.02.2026,30.06.2026,1.1,Live\n"
                    "A2,01.03.2026,30.07.2026,Withheld: commercial,Live\n"
                    "A3,01.04.2026,30.09.2026,twelve,Live\n", encoding="utf-8")
    (result,) = ingest.ingest_paths([data], mapping=str(preset), db=warehouse_db)
    # A2's budget is withheld: the project loads with no BAC (never 0); A3's 'twelve' is an error: held back.
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded_with_quarantine", 2, 1)
    assert query(warehouse_db, "SELECT project_id, budget_at_completion FROM raw_projects ORDER BY 1") == \
        [("A1", 1_100_000.0), ("A2", None)]
    assert query(warehouse_db, "SELECT source_row, rule, row_loaded, record->>'_withheld' FROM quarantine "
                               "ORDER BY source_row, rule") == \
        [(2, "budget_at_completion_withheld_by_source", True, "budget_at_completion='Withheld: commercial'"),
         (3, "budget_at_completion_not_null", False, None), (3, "budget_at_completion_type_valid", False, None)]
    assert query(warehouse_db, "SELECT unexpected_count, examples FROM gate_results "
                               "WHERE rule = 'budget_at_completion_withheld_by_source'") == \
        [(1, "row 2: budget_at_completion='Withheld: commercial'")]


def test_preset_naming_a_missing_column_is_an_input_error(con, tmp_path: Path) -> None:
    data = tmp_path / "register.csv"
    data.write_text("Ref,Begin\nA1,2026-01-01\n", encoding="utf-8")
    preset = tmp_path / "register.toml"
    preset.write_text(USER_PRESET, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        stage(con, data, mapping=str(preset))
    assert (caught.value.rule, caught.value.column) == ("preset_column_missing", "Start")


# --- Primavera P6: the real baseline and updates ------------------------------------------------------

def _exporter_names(path: Path) -> list[str]:
    """The user login and name the ERMHDR line carries (fields 5 and 6), read here only to prove that
    nothing staged contains them."""
    fields = path.read_bytes().split(b"\r\n", 1)[0].decode("cp1252").split("\t")
    return [f for f in fields[4:6] if f]


@pytest.mark.samples
@pytest.mark.parametrize(("name", "milestones", "percent"), [
    (BASELINE, 8, Decimal("66.38")), (UPDATE_1121, 10, Decimal("75.43")), (UPDATE_1204, 10, Decimal("78"))])
def test_p6_export_stages_project_status_and_milestones(con, samples: Path, warehouse_db: Path, name: str,
                                                        milestones: int, percent: Decimal) -> None:
    path = samples / name
    text = path.read_bytes().decode("cp1252")
    assert text.count("\tTT_Mile\t") + text.count("\tTT_FinMile\t") == milestones  # derived from the file
    batches = stage(con, path)
    assert list(batches) == ["projects", "status", "milestones"]
    [project] = rows(con, batches["projects"])
    assert (project["project_id"], project["project_name"], project["start_date"], project["status"]) == \
        ("54069", "RAH Chiller #4 Rebuild Project", date(2023, 10, 20), "active")
    assert project["budget_at_completion"] == 0  # PROJCOST target costs are 0 and there is no TASKRSRC
    data_date = datetime.strptime(name[-12:-4], "%Y%m%d").date()  # these three name their data date
    [status] = rows(con, batches["status"])
    assert (status["report_date"], status["as_of_date"], status["percent_complete"]) == (data_date, data_date, percent)
    assert batches["milestones"].rows == milestones and batches["milestones"].as_of_date == data_date
    staged = " ".join(str(v) for b in batches.values() for r in rows(con, b) for v in r.values())
    for secret in _exporter_names(path):
        assert secret not in staged


@pytest.mark.samples
def test_p6_data_date_is_last_recalc_date_not_the_file_name(con, samples: Path, tmp_path: Path,
                                                            warehouse_db: Path) -> None:
    renamed = tmp_path / "UP-54069-20251130.xer"
    shutil.copy(samples / UPDATE_1121, renamed)
    batches = stage(con, renamed, as_of=date(2025, 11, 30))
    assert batches["milestones"].as_of_date == batches["status"].as_of_date == date(2025, 11, 21)


@pytest.mark.samples
def test_p6_update_without_a_stored_baseline_uses_the_planned_dates(con, samples: Path, warehouse_db: Path) -> None:
    """No warehouse yet: baseline_date = P6 target_end_date, which this scheduler reset to the forecast."""
    assert not warehouse_db.exists()
    batch = stage(con, samples / UPDATE_1121)["milestones"]
    [mile_140] = rows(con, batch, "milestone_id = ?", ["MILE-140"])
    assert (mile_140["baseline_date"], mile_140["forecast_date"], mile_140["is_baseline"]) == \
        (date(2026, 2, 17), date(2026, 2, 17), False)


@pytest.mark.samples
def test_p6_baseline_then_updates_give_the_known_slips(samples: Path, warehouse_db: Path) -> None:
    """SPEC duty 1 on a real project: baseline loaded with --baseline, two monthly updates after it."""
    results = ingest.ingest_paths([samples / BASELINE], baseline=True, db=warehouse_db)
    results += ingest.ingest_paths([samples / UPDATE_1121, samples / UPDATE_1204], db=warehouse_db)
    assert {r.status for r in results} == {"loaded"}, [r.message for r in results]
    slips = {(m, d): (b, f, s) for m, d, b, f, s in query(warehouse_db, """
        SELECT milestone_id, as_of_date, baseline_date, forecast_date, forecast_date - baseline_date
        FROM raw_milestones WHERE project_id = '54069'""")}
    assert slips[("MILE-140", date(2025, 9, 2))] == (date(2026, 1, 9), date(2026, 1, 9), 0)
    assert slips[("MILE-140", date(2025, 11, 21))] == (date(2026, 1, 9), date(2026, 2, 17), 39)
    assert slips[("MILE-140", date(2025, 12, 4))] == (date(2026, 1, 9), date(2026, 2, 20), 42)
    assert slips[("MILE-130", date(2025, 9, 2))] == (date(2025, 12, 3), date(2025, 12, 3), 0)
    assert slips[("MILE-130", date(2025, 11, 21))][2] == 40
    assert slips[("MILE-130", date(2025, 12, 4))][2] == 43
    # Added after the baseline: its own forecast, slip 0, flagged by name; in both updates.
    added = query(warehouse_db, "SELECT as_of_date, milestone_name, forecast_date - baseline_date FROM raw_milestones "
                                "WHERE milestone_id = 'IPP-SAFE-20' ORDER BY 1")
    assert [(d, s) for d, _, s in added] == [(date(2025, 11, 21), 0), (date(2025, 12, 4), 0)]
    assert all(n.endswith(NOT_IN_BASELINE) for _, n, _ in added)
    assert query(warehouse_db, "SELECT count(*) FILTER (is_baseline), count(*) FROM raw_milestones") == [(8, 28)]
    # The project keeps the baseline's plan; the mart shows the slips.
    assert query(warehouse_db, "SELECT planned_finish_date FROM raw_projects WHERE project_id = '54069'") == \
        [(date(2026, 1, 9),)]
    assert query(warehouse_db, "SELECT as_of_date, slip_days FROM mart_milestone_slip WHERE project_id = '54069' "
                               "AND milestone_id = 'MILE-140' ORDER BY 1") == \
        [(date(2025, 9, 2), 0), (date(2025, 11, 21), 39), (date(2025, 12, 4), 42)]


# --- MS Project XML: the real sample ----------------------------------------------------------------

@pytest.mark.samples
def test_mspdi_sample_loads_its_project_progress_and_milestones(con, samples: Path, warehouse_db: Path) -> None:
    ns = {"p": "http://schemas.microsoft.com/project"}
    tasks = ET.parse(samples / "sample1.xml").getroot().findall("p:Tasks/p:Task", ns)
    flagged = [t for t in tasks if t.findtext("p:Milestone", namespaces=ns) == "1"
               and t.findtext("p:Summary", namespaces=ns) == "0"]
    assert (len(tasks), len(flagged)) == (23, 1)
    batches = stage(con, samples / "sample1.xml")
    [project] = rows(con, batches["projects"])
    assert (project["project_id"], project["start_date"], project["planned_finish_date"],
            project["budget_at_completion"], project["currency"]) == \
        ("MPXJ Sample", date(2003, 1, 7), date(2003, 3, 18), 417125.0, "GBP")
    [status] = rows(con, batches["status"])
    assert (status["report_date"], status["percent_complete"]) == (date(2003, 12, 1), 0.0)  # CurrentDate: no StatusDate
    [milestone] = rows(con, batches["milestones"])
    assert (milestone["milestone_id"], milestone["milestone_name"], milestone["forecast_date"],
            milestone["baseline_date"]) == ("3", "Third task", date(2003, 1, 7), date(2003, 1, 7))


# --- UK GMPP ------------------------------------------------------------------------------------------

def _gmpp(samples: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO((samples / "uk_2023.csv").read_bytes().decode("iso-8859-1")), delimiter=";"))


@pytest.mark.samples
def test_uk_gmpp_stages_every_project_with_its_rag_and_withholds_foi_cells(con, samples: Path) -> None:
    table = _gmpp(samples)
    header, data = table[0], table[1:]
    wlc, ipa, sro = header.index("wlc_baseline_incl_NCG"), 6, 7
    assert header[ipa] == header[sro] == "colour_rating"
    declined = [r for r in data if not r[wlc].replace(".", "", 1).isdigit()]  # FOI prose, early planning, blank
    batches = stage(con, samples / "uk_2023.csv")
    projects, status = batches["projects"], batches["status"]
    assert projects.rows == status.rows == len(data) == 244
    assert con.execute(f"SELECT count(_cast_errors) FROM {projects.table}").fetchone() == (0,)
    withheld = dict(con.execute(f"""
        SELECT c, count(*) FROM {projects.table},
             unnest(['start_date', 'planned_finish_date', 'budget_at_completion']) AS t(c)
        WHERE regexp_matches(_withheld, '(^|; )' || c || '=') GROUP BY c""").fetchall())
    assert withheld["budget_at_completion"] == len(declined) == 51
    assert (withheld["start_date"], withheld["planned_finish_date"]) == (7, 30)
    assert con.execute(f"SELECT count(*) FROM {projects.table} WHERE budget_at_completion = 0").fetchone() == (0,)
    first = {r["project_id"]: r for r in rows(con, projects, "project_id = 'CO_0024_2021-Q2'")}["CO_0024_2021-Q2"]
    assert (first["budget_at_completion"], first["start_date"], first["planned_finish_date"], first["currency"]) == \
        (34_000_000.0, date(2020, 5, 20), date(2024, 9, 30), "GBP")  # '34', '20.05.2020', '30.09.2024'

    def rag(r: list[str]) -> str | None:  # the IPA's rating where it rated, else the SRO's
        value = r[ipa] or r[sro]
        return value.lower() if value in ("Green", "Amber", "Red") else None

    expected = sorted((r[1], rag(r)) for r in data)
    got = sorted(con.execute(f"SELECT project_id, overall_rag FROM {status.table}").fetchall())
    assert got == expected and sum(1 for _, g in got if g) == 232
    assert con.execute(f"SELECT DISTINCT report_date, as_of_date FROM {status.table}").fetchall() == \
        [(date(2023, 3, 31), date(2023, 3, 31))]
    assert con.execute(f"SELECT count(percent_complete), count(*) FILTER (_withheld LIKE '%percent_complete=%') "
                       f"FROM {status.table}").fetchone() == (0, 244)


@pytest.mark.samples
def test_uk_gmpp_loads_through_the_gate_with_withheld_cells_quarantined(samples: Path, warehouse_db: Path) -> None:
    results = {r.source: r for r in ingest.ingest_paths([samples / "uk_2023.csv"], db=warehouse_db)}
    assert results["status"].status == "loaded", results["status"].message
    # The one project whose published end date (20.01.2023) is before its start (20.02.2023) is held back
    # with that reason; every other project loads with its withheld cells empty, never 0.
    assert results["projects"].rows_loaded == 243
    assert query(warehouse_db, "SELECT source_row, rule FROM quarantine WHERE NOT row_loaded") == \
        [(177, "planned_finish_date_not_before_start_date")]
    assert query(warehouse_db, "SELECT count(*) FILTER (overall_rag IS NOT NULL), count(*) FROM raw_status") == \
        [(232, 244)]
    assert query(warehouse_db, "SELECT count(*) FROM raw_projects WHERE budget_at_completion = 0") == [(0,)]
    # Each withheld cell is counted by its rule and kept, with the publisher's text, in quarantine.
    counted = dict(query(warehouse_db, "SELECT rule, unexpected_count FROM gate_results "
                                       "WHERE severity = 'cell' AND NOT success"))
    kept = dict(query(warehouse_db, "SELECT rule, count(*) FROM quarantine WHERE row_loaded GROUP BY rule"))
    assert counted == kept == {"budget_at_completion_withheld_by_source": 51, "start_date_withheld_by_source": 7,
                               "planned_finish_date_withheld_by_source": 30,
                               "percent_complete_withheld_by_source": 244,
                               "overall_rag_withheld_by_source": 244 - 232}
    (record,) = query(warehouse_db, "SELECT record->>'_withheld' FROM quarantine WHERE row_loaded "
                                    "AND rule = 'budget_at_completion_withheld_by_source' "
                                    "AND regexp_matches(record->>'_withheld', 'Exempt under Section') LIMIT 1")[0]
    assert "budget_at_completion='Exempt under Section" in record
    assert "cell(s) kept in quarantine" in results["projects"].message


@pytest.mark.samples
def test_capital_register_projects_and_gate_dates(con, samples: Path) -> None:
    path = samples / "Capital_Delivery_Project_deidentified.csv"
    assert list(stage(con, path)) == ["projects"]  # no data date: milestones need --as-of
    batches = stage(con, path, as_of=date(2024, 6, 30))
    projects, milestones = batches["projects"], batches["milestones"]
    assert projects.rows == 445 and con.execute(f"SELECT count(_cast_errors) FROM {projects.table}").fetchone() == (0,)
    got = {r["project_id"]: r for r in rows(con, projects, "project_id IN ('Q05388', 'Q05640')")}
    # Q05388: FFC 2359288.62, BCA '2016-05-25 17:00:00', Stage3 '2018-02-16 17:00:00'
    assert (got["Q05388"]["start_date"], got["Q05388"]["planned_finish_date"], got["Q05388"]["currency"]) == \
        (date(2016, 5, 25), date(2018, 2, 16), "AUD")
    assert got["Q05640"]["budget_at_completion"] == Decimal("2066075.59")  # '2066075.5899999999', to the cent
    dates = {(p, m): (b, a, g) for p, m, b, a, g in con.execute(
        f"SELECT project_id, milestone_id, baseline_date, actual_date, is_gate FROM {milestones.table}").fetchall()}
    assert dates[("Q05388", "BNI")] == (date(2016, 2, 5), date(2016, 2, 5), True)    # '5/02/2016 5:00:00 PM'
    assert dates[("Q05388", "PBC")][0] == date(2016, 3, 30)                         # '30/03/2016 5:00:00 PM'
    assert dates[("Q05640", "PBC")][0] == date(2016, 10, 24)                        # '24/10/2016' (no time)
    assert dates[("Q05643", "BNI")][0] == date(2016, 7, 11)                         # '11/07/2016'
    assert ("Q05388", "TENDER") not in dates                                        # blank: no milestone
    future = con.execute(f"SELECT count(*) FROM {milestones.table} WHERE baseline_date > as_of_date "
                         f"AND actual_date IS NULL").fetchone()[0]
    assert future > 0 and con.execute(f"SELECT count(*) FROM {milestones.table} WHERE actual_date > as_of_date"
                                      ).fetchone() == (0,)


# --- SiP effort log ----------------------------------------------------------------------------------

@pytest.mark.samples
def test_sip_effort_log_books_each_developers_hours_on_the_task_date(con, samples: Path) -> None:
    info = list(csv.DictReader(io.StringIO((samples / "Sip-task-info.csv").read_bytes().decode("cp1252"))))
    batches = stage(con, samples / "Sip-task-info.csv")
    timesheets, people, projects = batches["timesheets"], batches["people"], batches["projects"]
    assert timesheets.rows == len(info) == 12299
    assert people.rows == len({r["DeveloperID"] for r in info}) == 22
    assert projects.rows == len({r["ProjectCode"] for r in info}) == 20
    assert con.execute(f"SELECT sum(hours), count(_cast_errors) FROM {timesheets.table}").fetchone() == \
        (sum(Decimal(r["DeveloperHoursActual"]) for r in info), 0)  # exact decimals: the same sum to the digit
    # Task 1735, developer 58, 1.75 h; est-act-dates: started 26-Feb-04, completed 11-Jan-05.
    [first] = rows(con, timesheets, "_source_row = 1")
    assert (first["employee_id"], first["project_id"], first["work_date"], first["hours"], first["activity"]) == \
        ("58", "PC2", date(2005, 1, 11), 1.75, "#1735 Enhancement")
    assert con.execute(f"SELECT DISTINCT weekly_capacity_hours FROM {people.table}").fetchall() == [(40.0,)]


@pytest.mark.samples
def test_sip_effort_log_needs_its_dates_file(con, samples: Path, tmp_path: Path) -> None:
    alone = tmp_path / "Sip-task-info.csv"
    shutil.copy(samples / "Sip-task-info.csv", alone)
    with pytest.raises(InputError) as caught:
        stage(con, alone)
    assert caught.value.rule == "companion_missing" and "est-act-dates.csv" in str(caught.value)


@pytest.mark.samples
def test_sip_effort_log_loads_through_the_gate_with_multi_day_efforts_quarantined(samples: Path,
                                                                                  warehouse_db: Path) -> None:
    results = {r.source: r for r in ingest.ingest_paths([samples / "Sip-task-info.csv", samples / "est-act-dates.csv"],
                                                        db=warehouse_db)}
    assert (results["projects"].status, results["people"].status) == ("loaded", "loaded")
    sheet = results["timesheets"]
    assert sheet.status == "loaded_with_quarantine" and sheet.rows_read == 12299
    rules = dict(query(warehouse_db, "SELECT rule, count(*) FROM quarantine GROUP BY rule"))
    over_24 = sum(1 for r in csv.DictReader(io.StringIO((samples / "Sip-task-info.csv").read_text("cp1252")))
                  if float(r["DeveloperHoursActual"]) > 24)
    assert rules["hours_between_0_and_24"] == over_24 == 752
    assert sheet.rows_loaded + sheet.rows_quarantined == sheet.rows_read
