"""The fixed contracts: SPEC section 5's marts and columns, the tables the dashboard reads, model files, docs."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pytest
from marts_support import REPO, insert, new_warehouse, plan, project, run_build, status

from pipelines.build import MACROS, MODELS, MODELS_DIR, PUBLISHED_MACROS, BuildError

# SPEC section 5: these marts and columns are fixed (more columns are welcome).
SPEC_MARTS: dict[str, tuple[str, ...]] = {
    "mart_evm": ("project_id", "period", "bac", "pv", "ev", "ac", "cv", "sv", "cpi", "spi", "eac", "etc", "vac",
                 "tcpi", "es", "spi_t", "sv_t"),
    "mart_milestone_slip": ("project_id", "milestone_id", "as_of_date", "baseline_date", "forecast_date",
                            "actual_date", "slip_days"),
    "mart_utilisation": ("employee_id", "team", "week_start", "hours_logged", "capacity_hours", "utilisation",
                         "billable_hours"),
    "mart_risk": ("project_id", "risk_id", "as_of_date", "probability", "impact", "score", "band", "status"),
    # "one column per driver": cost, schedule, risk exposure, quality, reporting freshness
    "mart_health": ("project_id", "period", "health_score", "computed_rag", "declared_rag", "cost_score",
                    "schedule_score", "risk_score", "quality_score", "freshness_score"),
}

# Every warehouse table the dashboard's queries read from the published snapshot.
READS = re.compile(r"\b(?:FROM|JOIN)\s+((?:dim|mart|cfg)_\w+|load_log|gate_results|quarantine)\b")
DASHBOARD_TABLES = sorted({name for sql in (REPO / "dashboard" / "queries").glob("*.sql")
                           for name in READS.findall(sql.read_text(encoding="utf-8"))})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    con = new_warehouse(tmp_path_factory.mktemp("contract"))
    insert(con, "projects", [project("P1", planned_finish_date=date(2026, 2, 28))])
    insert(con, "budgets", plan("P1", date(2026, 1, 1), [50_000, 50_000], [40_000]))
    insert(con, "status", [status("P1", date(2026, 1, 31), 40)])
    counts = run_build(con, as_of=date(2026, 1, 31))
    yield con, counts
    con.close()


def columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND NOT internal ORDER BY column_index",
        [table]).fetchall()]


@pytest.mark.parametrize("mart", SPEC_MARTS)
def test_spec_mart_has_its_fixed_columns(built, mart):
    con, _counts = built
    missing = [c for c in SPEC_MARTS[mart] if c not in columns(con, mart)]
    assert not missing, f"{mart} lacks SPEC columns {missing}"


def test_every_table_the_dashboard_reads_is_published(built):
    con, _counts = built
    persistent = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
                                            "AND database_name = current_database()").fetchall()}
    assert len(DASHBOARD_TABLES) > 20 and "mart_health" in DASHBOARD_TABLES
    assert set(DASHBOARD_TABLES) <= persistent, set(DASHBOARD_TABLES) - persistent
    # staging is private to the build (TEMP): never published, never a raw_ table
    assert not {t for t in persistent if t.startswith(("stg_", "int_"))}


def test_build_reports_a_row_count_per_model(built):
    _con, counts = built
    assert list(counts) == [m for m in MODELS if not m.startswith("stg_")]
    assert counts["dim_project"] == 1 and counts["mart_evm"] == 2


def test_every_model_is_built_after_the_models_it_reads():
    from pipelines.build import build_order, model_dependencies

    needs = model_dependencies()
    assert needs["mart_health"] >= {"mart_evm", "mart_risk_exposure", "mart_quality", "dim_report_date"}
    assert all(MODELS.index(other) < MODELS.index(name) for name in MODELS for other in needs[name])
    assert build_order({"b": {"a"}, "a": set(), "c": {"a"}}) == ("a", "b", "c")  # ties by name: reproducible
    with pytest.raises(BuildError, match="circle: a, b"):
        build_order({"a": {"b"}, "b": {"a"}, "c": set()})


def test_model_files_match_the_model_list_and_state_their_grain():
    files = {p.stem for p in MODELS_DIR.glob("*.sql")} - {MACROS, PUBLISHED_MACROS}
    assert files == set(MODELS)
    for name in MODELS:
        text = (MODELS_DIR / f"{name}.sql").read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert re.match(r"-- (one row|one row per|every)", first), f"{name}.sql must open with its grain: {first!r}"
        builds = re.search(r"CREATE OR REPLACE (?:TEMP )?(?:TABLE|VIEW) (\w+)", text)
        assert builds and builds.group(1) == name, f"{name}.sql must build {name}"


def test_docs_describe_every_published_model():
    docs = (REPO / "README.md").read_text(encoding="utf-8")
    published = [m for m in MODELS if m.startswith(("dim_", "mart_"))]
    undocumented = [m for m in published if f"### {m}" not in docs]
    assert not undocumented, f"README.md lacks a section for {undocumented}"
    for mart, cols in SPEC_MARTS.items():
        section = docs.split(f"### {mart}", 1)[1].split("\n### ", 1)[0]
        missing = [c for c in cols if f"`{c}`" not in section]
        assert not missing, f"README.md: the {mart} section does not list {missing}"


def test_docs_list_every_column_of_every_published_model(built):
    con, _counts = built
    docs = (REPO / "README.md").read_text(encoding="utf-8")
    gaps = {}
    for model in (m for m in MODELS if m.startswith(("dim_", "mart_"))):
        section = docs.split(f"### {model}", 1)[1].split("\n### ", 1)[0]
        if missing := [c for c in columns(con, model) if f"`{c}`" not in section]:
            gaps[model] = missing
    assert not gaps, f"README.md does not describe these columns: {gaps}"


def test_every_setting_a_query_reads_is_required_from_the_config_file():
    from pipelines.build import REQUIRED_SETTINGS

    read = set()
    for sql in [*MODELS_DIR.glob("*.sql"), *(REPO / "dashboard" / "queries").glob("*.sql")]:
        read |= set(re.findall(r"key = '([a-z_.]+)'", sql.read_text(encoding="utf-8")))
    assert read - {"build.as_of_date"} == set(REQUIRED_SETTINGS)  # build.as_of_date is the --as-of argument
    assert not [p.name for p in MODELS_DIR.glob("*.sql")
                if re.search(r"coalesce\(\(?(?:SELECT )?(?:max\()?num", p.read_text(encoding="utf-8"))], \
        "a model falls back to a default of its own: the config file holds the only copy"


@pytest.mark.parametrize(("line", "named"), [
    ("stale_after_days = 45", r"\[health\] stale_after_days is missing"),
    ("red_slip_days = 30", r"\[milestones\] red_slip_days is missing"),
    ("green_low = 0.95", r"\[evm\] green_low is missing"),
])
def test_a_setting_missing_from_the_config_file_is_named(edited_config, line, named):
    from pipelines.build import ConfigError, load_config

    edited_config({f"\n{line}": "\n"})
    from contract import settings

    with pytest.raises(ConfigError, match=named):
        load_config(duckdb.connect(), settings.config())



def test_each_evm_formula_is_written_once_and_means_what_the_readme_says():
    """mart_evm and the dashboard's roll-ups call the evm_* macros; no other SQL divides EV or ES itself."""
    sql = {path.name: re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
           for folder in (MODELS_DIR, REPO / "dashboard" / "queries") for path in folder.glob("*.sql")}
    for formula in (r"\bev\s*/\s*nullif", r"\bes\s*/\s*nullif", r"bac\s*-\s*\w*\.?ev\s*\)\s*/", r"\*\s*\w*\.?ac\s*/"):
        assert [name for name, text in sql.items() if re.search(formula, text, re.IGNORECASE)] == \
            [f"{PUBLISHED_MACROS}.sql"], formula
    for name in ("mart_evm.sql", "evm_rollup.sql", "evm_trend.sql"):
        assert "evm_cpi(" in sql[name] and "evm_eac(" in sql[name], name
    con = duckdb.connect()
    con.execute(";".join(s for s in sql[f"{PUBLISHED_MACROS}.sql"].split(";") if "MACRO evm_" in s))
    # BAC 1,000, EV 400, AC 500: CPI 0.8, EAC 1,250, TCPI (1,000 - 400) / (1,000 - 500) = 1.2
    assert con.execute("SELECT evm_cpi(400.0, 500.0), evm_eac(1000.0, 400.0, 500.0), "
                       "evm_tcpi(1000.0, 400.0, 500.0)").fetchall() == [(0.8, 1250, 1.2)]
    # nothing booked: CPI, EAC and TCPI unknown; budget spent: TCPI unknown, never negative
    assert con.execute("SELECT evm_cpi(400.0, 0.0), evm_eac(1000.0, 400.0, 0.0), evm_tcpi(1000.0, 400.0, 0.0), "
                       "evm_tcpi(1000.0, 900.0, 1100.0)").fetchall() == [(None, None, None, None)]
