"""The demo generator: deterministic, complete for all twelve sources, valid for the gate, and its stories hold
in the raw numbers of the files (read back here independently of the product's readers)."""

from __future__ import annotations

import io
import re
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from contract.sources import LOAD_ORDER, SOURCES, alias_index, normalise_header
from pipelines.demo import BAD_EXPORT_PROJECT, BAD_EXPORT_ROWS, STALE, STORIES, STORY_RISK, TODAY, generate
from pipelines.demo.timesheets import OVERLOAD_FROM

PREFIX = {"projects": "projects", "people": "people", "budgets": "budgets", "status": "status",
          "milestones": "milestones", "risks": "risks", "timesheets": "timesheets", "changes": "changes",
          "raid_log": "issues", "quality_checks": "quality", "documents": "documents", "lessons": "lessons"}
ROWS = {"projects": (60, 60), "people": (400, 400), "timesheets": (150_000, 350_000), "budgets": (3_000, 8_000),
        "status": (600, 1_200), "milestones": (3_000, 8_000), "risks": (2_500, 7_000), "changes": (60, 250),
        "issues": (400, 1_500), "quality": (250, 900), "documents": (250, 500), "lessons": (20, 80)}
CHINESE_HEADER = ["员工编号", "项目编号", "工作日期", "工时", "活动", "可计费"]


def source_of(path: Path) -> str:
    return next(src for pre, src in PREFIX.items() if path.stem == pre or path.stem.startswith(pre + "_"))


def read_raw(path: Path) -> pd.DataFrame:
    """The file as text cells, with its own headers (xlsx dates as ISO, booleans as true/false)."""
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, engine="calamine", dtype=object)
        return frame.map(lambda v: "" if pd.isna(v) else v.date().isoformat() if hasattr(v, "date")
                         else str(v).lower() if isinstance(v, bool) else str(v))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    sep = ";" if ";" in text.split("\n", 1)[0] else ","
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def canonical(path: Path) -> pd.DataFrame:
    """Headers mapped through the built-in aliases; as_of_date from the file name when there is no column."""
    frame = read_raw(path)
    index = alias_index(SOURCES[source_of(path)])
    frame = frame.rename(columns={c: index[normalise_header(c)] for c in frame.columns})
    if "billable" in frame:
        frame["billable"] = frame["billable"].map({"是": "true", "否": "false"}).fillna(frame["billable"])
    if "check_date" in frame:  # quality_checks.csv comes from a tool writing DD.MM.YYYY
        frame["check_date"] = pd.to_datetime(frame["check_date"], format="%d.%m.%Y").dt.date.map(date.isoformat)
    month = re.search(r"_(\d{4}-\d{2})$", path.stem)
    if month and "as_of_date" not in frame:
        frame["as_of_date"] = pd.Period(month.group(1)).end_time.date().isoformat()
    return frame


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], float]:
    started = time.perf_counter()
    files = generate(tmp_path_factory.mktemp("demo-a"))
    return files, time.perf_counter() - started


@pytest.fixture(scope="module")
def files(generated) -> list[Path]:
    return generated[0]


@pytest.fixture(scope="module")
def data(files: list[Path]) -> dict[str, pd.DataFrame]:
    parts: dict[str, list[pd.DataFrame]] = {}
    for path in files:
        parts.setdefault(source_of(path), []).append(canonical(path))
    return {src: pd.concat(frames, ignore_index=True) for src, frames in parts.items()}


def num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace("", None))


def day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.replace("", None), format="%Y-%m-%d")


# --- the files ----------------------------------------------------------------------------------------

def test_generation_is_fast_and_in_load_order(generated) -> None:
    files, seconds = generated
    print(f"demo generated in {seconds:.1f} s")
    assert seconds < 60, f"generation took {seconds:.1f} s"
    ranks = [LOAD_ORDER.index(source_of(p)) for p in files]
    assert ranks == sorted(ranks) and [source_of(p) for p in files[:2]] == ["projects", "people"]
    assert len({p.name for p in files}) == len(files) == len(list(files[0].parent.iterdir()))


def test_two_runs_are_byte_identical(files: list[Path], tmp_path: Path) -> None:
    again = generate(tmp_path / "b")
    assert [p.name for p in again] == [p.name for p in files]
    for first, second in zip(files, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), f"{first.name} differs between runs"


def test_generator_never_reads_the_clock() -> None:
    package = Path(__file__).resolve().parents[1] / "pipelines" / "demo"
    for path in package.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.now\(|\.today\(|time\.time\(", text), path.name


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_source_has_files_with_plausible_row_counts(data, source: str) -> None:
    low, high = ROWS[source]
    assert low <= len(data[source]) <= high


def test_file_names_carry_the_as_of_of_recent_snapshots(files: list[Path]) -> None:
    names = {p.name for p in files}
    for source in ("status", "milestones", "risks"):
        assert f"{source}_history.csv" in names
        assert {f"{source}_2026-{m:02d}.csv" for m in range(5, 11)} <= names
    assert any(n.endswith(".xlsx") and n.startswith("timesheets_") for n in names)


def test_headers_are_canonical_names_or_builtin_aliases(files: list[Path]) -> None:
    for path in files:
        source = SOURCES[source_of(path)]
        index = alias_index(source)
        header = list(read_raw(path).columns)
        unknown = [h for h in header if normalise_header(h) not in index]
        assert not unknown, f"{path.name}: {unknown}"
        mapped = {index[normalise_header(h)] for h in header}
        assert len(mapped) == len(header), f"{path.name}: two headers map to one column"
        assert set(source.required) - {"as_of_date"} <= mapped, path.name


def test_one_quarter_is_gb18030_with_chinese_headers(files: list[Path]) -> None:
    chinese = [p for p in files if p.name == "timesheets_2025-Q2.csv"]
    assert chinese
    raw = chinese[0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gb18030")
    assert text.split("\n", 1)[0].split(",") == CHINESE_HEADER
    assert {"是", "否"} <= set(pd.read_csv(io.StringIO(text), dtype=str)["可计费"])
    index = alias_index(SOURCES["timesheets"])
    assert [index[normalise_header(h)] for h in CHINESE_HEADER] == [
        "employee_id", "project_id", "work_date", "hours", "activity", "billable"]


# --- what the gate checks -------------------------------------------------------------------------------

def test_closed_vocabularies(data) -> None:
    for name, source in SOURCES.items():
        for column in source.columns:
            if column.allowed and column.name in data[name]:
                values = set(data[name][column.name]) - {""}
                assert values <= set(column.allowed), (name, column.name, values - set(column.allowed))
    assert set(data["projects"]["lifecycle_stage"]) <= {"initiation", "planning", "execution", "closing"}
    rag = {"green", "amber", "red"}
    for col in ("overall_rag", "schedule_rag", "cost_rag", "scope_rag"):
        assert set(data["status"][col]) <= rag
    assert set(data["timesheets"]["billable"]) == {"true", "false"}
    assert set(data["budgets"]["cost_category"]) == {"labour", "contractors", "materials", "other"}


@pytest.mark.parametrize("source", list(SOURCES))
def test_grain_is_unique(data, source: str) -> None:
    frame = data[source]
    grain = list(SOURCES[source].grain)
    assert not frame.duplicated(grain).any(), frame[frame.duplicated(grain, keep=False)].head()


def test_references_are_known(data) -> None:
    projects, people = set(data["projects"]["project_id"]), set(data["people"]["employee_id"])
    for name, frame in data.items():
        if "project_id" in frame and name != "projects":
            assert set(frame["project_id"]) <= projects, name
    assert set(data["timesheets"]["employee_id"]) <= people
    assert projects == set(data["budgets"]["project_id"]) == set(data["status"]["project_id"])


def test_ranges(data) -> None:
    assert num(data["status"]["percent_complete"]).between(0, 100).all()
    for col in ("probability", "impact"):
        out_of_range = data["risks"][~num(data["risks"][col]).between(1, 5)]
        # only the data-quality story's misscored rows (BAD_EXPORT_*), which the gate must catch
        expected = BAD_EXPORT_ROWS if col == "impact" else 0
        assert len(out_of_range) == expected and set(out_of_range["project_id"]) <= {BAD_EXPORT_PROJECT}
    assert (num(data["timesheets"]["hours"]) > 0).all()
    assert num(data["people"]["weekly_capacity_hours"]).isin([20, 24, 32, 40]).all()
    assert {20, 24, 32} <= set(num(data["people"]["weekly_capacity_hours"]))


def test_nobody_logs_more_than_24_hours_a_day_or_outside_employment(data) -> None:
    ts = data["timesheets"].assign(hours=lambda f: num(f["hours"]))
    assert ts.groupby(["employee_id", "work_date"])["hours"].sum().max() <= 24
    people = data["people"].set_index("employee_id")
    start = day(people["start_date"]).reindex(ts["employee_id"]).to_numpy()
    end = day(people["end_date"]).fillna(pd.Timestamp(TODAY)).reindex(ts["employee_id"]).to_numpy()
    when = day(ts["work_date"]).to_numpy()
    assert ((when >= start) & (when <= end)).all()
    assert day(ts["work_date"]).between("2024-11-01", TODAY.isoformat()).all()
    joiners = day(people["start_date"]) > "2024-11-01"
    assert joiners.sum() >= 10 and people["end_date"].ne("").sum() >= 10


def test_dates_are_consistent(data) -> None:
    pr = data["projects"]
    assert (day(pr["planned_finish_date"]) >= day(pr["start_date"])).all()
    closed = pr["status"] == "closed"
    assert (pr.loc[closed, "actual_finish_date"] != "").all() and (pr.loc[~closed, "actual_finish_date"] == "").all()
    assert (day(pr.loc[closed, "actual_finish_date"]) <= pd.Timestamp(TODAY)).all()
    st = data["status"]
    assert (day(st["report_date"]) <= day(st["as_of_date"])).all()
    assert (day(st["report_date"]).dt.to_period("M") == day(st["as_of_date"]).dt.to_period("M")).all()
    ms = data["milestones"]
    done = ms["actual_date"] != ""
    assert (day(ms.loc[done, "actual_date"]) <= day(ms.loc[done, "as_of_date"])).all()
    for name, raised, closed_col in (("risks", "raised_date", "closed_date"), ("issues", "raised_date", "closed_date"),
                                     ("changes", "submitted_date", "decision_date")):
        frame = data[name]
        has = frame[closed_col] != ""
        assert (day(frame.loc[has, closed_col]) >= day(frame.loc[has, raised])).all(), name
        assert (day(frame[raised]) <= pd.Timestamp(TODAY)).all(), name
    ch = data["changes"]
    assert ((ch["decision"] == "pending") == (ch["decision_date"] == "")).all()
    for name, col in (("documents", "last_updated"), ("lessons", "recorded_date"), ("quality", "check_date")):
        assert (day(data[name][col]) <= pd.Timestamp(TODAY)).all(), name


def test_budgets_sum_to_bac_to_the_cent(data) -> None:
    planned: dict[str, Decimal] = {}
    for pid, cost in zip(data["budgets"]["project_id"], data["budgets"]["planned_cost"], strict=True):
        planned[pid] = planned.get(pid, Decimal(0)) + Decimal(cost)
    bac = {pid: Decimal(v).quantize(Decimal("0.01"))
           for pid, v in zip(data["projects"]["project_id"], data["projects"]["budget_at_completion"], strict=True)}
    assert planned == bac
    future = data["budgets"]["period"] > "2026-10"
    assert (data["budgets"].loc[future, "actual_cost"] == "").all()
    assert (data["budgets"].loc[~future, "actual_cost"] != "").all()


def test_snapshot_sources_cover_24_months(data) -> None:
    months = pd.period_range("2024-11", "2026-10", freq="M")
    for name in ("status", "milestones", "risks"):
        assert set(day(data[name]["as_of_date"]).dt.to_period("M")) == set(months), name


# --- the stories -----------------------------------------------------------------------------------------

def evm(data, pid: str) -> pd.DataFrame:
    """Month-end SPI and CPI of one project, the SPEC's way, from budgets and status."""
    bud = data["budgets"][data["budgets"]["project_id"] == pid]
    plan = num(bud["planned_cost"]).groupby(bud["period"]).sum()
    actual = num(bud["actual_cost"]).groupby(bud["period"]).sum()
    bac = plan.sum()
    st = data["status"][data["status"]["project_id"] == pid].sort_values("report_date")
    rows = []
    for _, report in st.iterrows():
        month = report["report_date"][:7]
        ev = float(report["percent_complete"]) / 100 * bac
        rows.append({"period": month, "pct": float(report["percent_complete"]),
                     "spi": ev / plan[plan.index <= month].sum(), "cpi": ev / actual[actual.index <= month].sum(),
                     "overall": report["overall_rag"], "schedule": report["schedule_rag"],
                     "cost": report["cost_rag"]})
    return pd.DataFrame(rows).set_index("period")


def test_stories_are_distinct_projects(data) -> None:
    ids = [v for k, v in STORIES.items() if k != "overloaded_team"]
    assert len(set(ids)) == len(ids) and set(ids) <= set(data["projects"]["project_id"])
    assert STORIES["overloaded_team"] in set(data["people"]["team"])


def test_slipping_milestones_move_later_every_snapshot(data) -> None:
    ms = data["milestones"][data["milestones"]["project_id"] == STORIES["slipping"]]
    ms = ms[day(ms["as_of_date"]) >= "2026-02-01"]
    open_ms = ms[ms["actual_date"] == ""]
    assert open_ms["milestone_id"].nunique() >= 3
    for mid, rows in open_ms.groupby("milestone_id"):
        forecasts = day(rows.sort_values("as_of_date")["forecast_date"])
        assert forecasts.is_monotonic_increasing and forecasts.is_unique, mid
        assert len(forecasts) >= 6
    last = ms[ms["as_of_date"] == TODAY.isoformat()]
    slip = (day(last["forecast_date"]) - day(last["baseline_date"])).dt.days
    assert slip[last["actual_date"] == ""].min() > 60


def test_slipping_spi_sinks_while_the_pm_declares_green(data) -> None:
    e = evm(data, STORIES["slipping"])
    recent = e.loc["2026-01":]
    assert recent["spi"].is_monotonic_decreasing
    assert e.loc["2026-10", "spi"] < 0.90 and e.loc["2026-01", "spi"] > 0.95
    disagree = e[(e["overall"] == "green") & (e["spi"] < 0.95)]
    assert len(disagree) >= 3, "the PM should declare green for months while the numbers say amber/red"
    assert (disagree["spi"] < 0.90).sum() >= 2
    assert e.loc["2026-10", "overall"] == "red"


def test_over_budget_project_is_on_schedule_with_cpi_0_8(data) -> None:
    pid = STORIES["over_budget_on_time"]
    e = evm(data, pid)
    bac = num(data["projects"].set_index("project_id").loc[[pid], "budget_at_completion"]).iloc[0]
    bud = data["budgets"][data["budgets"]["project_id"] == pid]
    actual = num(bud["actual_cost"]).sum()
    ratio = actual / (e.loc["2026-10", "pct"] / 100 * bac)
    assert ratio == pytest.approx(1.25, abs=0.01)
    assert e["spi"].between(0.95, 1.05).all() and e["spi"].iloc[-6:].between(0.99, 1.01).all()
    assert e["cpi"].between(0.78, 0.82).all()


def test_overloaded_team_works_50_to_60_hour_weeks(data) -> None:
    ts = data["timesheets"].assign(hours=lambda f: num(f["hours"]), work_date=lambda f: day(f["work_date"]))
    people = data["people"].set_index("employee_id")
    ts["team"] = people["team"].reindex(ts["employee_id"]).to_numpy()
    ts["week"] = ts["work_date"].dt.to_period("W-SUN")
    weekly = ts[ts["work_date"] >= pd.Timestamp(OVERLOAD_FROM)].groupby(["team", "employee_id", "week"])["hours"].sum()
    by_team = weekly.groupby("team").mean()
    team = STORIES["overloaded_team"]
    assert 50 <= by_team[team] <= 60
    assert by_team.drop(team).max() < 40
    capacity = num(people.loc[people["team"] == team, "weekly_capacity_hours"])
    assert by_team[team] / capacity.mean() > 1.2
    before = ts[(ts["team"] == team) & (ts["work_date"] < "2026-04-01")]
    assert before.groupby(["employee_id", "week"])["hours"].sum().mean() < 40


def test_risk_escalates_then_materialises_then_a_cost_change(data) -> None:
    risk = data["risks"][data["risks"]["risk_id"] == STORY_RISK].sort_values("as_of_date")
    assert (risk["project_id"] == STORIES["risk_materialises"]).all()
    score = num(risk["probability"]) * num(risk["impact"])
    assert score.is_monotonic_increasing and score.iloc[0] <= 4
    before = risk[risk["status"] != "materialised"]
    assert num(before["probability"]).mul(num(before["impact"])).max() >= 20  # critical before it happened
    assert risk["status"].iloc[-1] == "materialised" and list(risk["status"]).index("materialised") >= 4
    happened = risk.loc[risk["status"] == "materialised", "as_of_date"].min()
    soon_after = (pd.Timestamp(happened) + pd.Timedelta(days=31)).date().isoformat()
    ch = data["changes"]
    cr = ch[(ch["project_id"] == STORIES["risk_materialises"]) & (ch["change_type"] == "cost")
            & (ch["submitted_date"] > happened) & (ch["submitted_date"] <= soon_after)]
    bac = num(data["projects"].set_index("project_id").loc[[STORIES["risk_materialises"]], "budget_at_completion"])
    assert (num(cr["cost_impact"]) >= 0.05 * bac.iloc[0]).any()


def test_closed_late_project(data) -> None:
    pid = STORIES["closed_late"]
    project = data["projects"].set_index("project_id").loc[pid]
    assert project["status"] == "closed" and project["actual_finish_date"]
    late = (pd.Period(project["actual_finish_date"][:7], "M") - pd.Period(project["planned_finish_date"][:7], "M")).n
    assert late == 3
    assert evm(data, pid)["pct"].iloc[-1] == 100
    assert (data["lessons"]["project_id"] == pid).sum() >= 3
    assert (data["status"]["project_id"] == pid).sum() > 0


def test_healthy_project_is_green_on_plan_and_on_budget(data) -> None:
    e = evm(data, STORIES["healthy"])
    assert (e[["overall", "schedule", "cost"]] == "green").all().all()
    assert e["spi"].between(0.97, 1.03).all() and e["cpi"].between(0.97, 1.03).all()


def test_on_hold_cancelled_and_stale_projects(data) -> None:
    projects = data["projects"].set_index("project_id")
    assert projects.loc[STORIES["on_hold"], "status"] == "on_hold"
    assert projects.loc[STORIES["cancelled"], "status"] == "cancelled"
    assert len(STALE) >= 3
    last_report = day(data["status"].groupby("project_id")["report_date"].max())
    for pid in STALE:
        assert projects.loc[pid, "status"] == "active" and last_report[pid] < pd.Timestamp("2026-09-01")
    active = projects.index[projects["status"] == "active"]
    fresh = last_report.reindex(active) >= pd.Timestamp("2026-10-01")
    assert set(active[~fresh]) == set(STALE)


def test_portfolio_shape(data) -> None:
    pr = data["projects"]
    assert pr["portfolio"].nunique() == 3 and pr["programme"].nunique() == 8 and pr["department"].nunique() == 6
    assert set(pr["lifecycle_stage"]) == {"initiation", "planning", "execution", "closing"}
    assert (pr["status"] == "closed").sum() >= 8
    assert data["people"]["team"].nunique() == 40
    assert set(data["issues"]["kind"]) == {"issue", "action", "decision"}
    mandatory = {"business_case", "charter", "project_plan", "risk_register", "status_report", "closure_report",
                 "lessons_learned"}
    assert set(data["documents"]["document_type"]) == mandatory
    closed = set(pr.loc[pr["status"] == "closed", "project_id"])
    assert set(data["lessons"]["project_id"]) <= closed | {STORIES["cancelled"]}
