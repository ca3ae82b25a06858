"""Issue: the Schedule page shows the real P6 project's slip trend (baseline + two monthly updates)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from chart_support import trace_values
from streamlit.testing.v1 import AppTest

from pipelines import ingest

APP = Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py"
BASELINE, UPDATES = "BL-54069-B2-20250902.xer", ("UP-54069-20251121.xer", "UP-54069-20251204.xer")
# SPEC samples README: slip of MILE-140 "Total Completion" and MILE-130 "Substantial Performance" per update
KNOWN_SLIPS = {("MILE-140", date(2025, 11, 21)): 39, ("MILE-140", date(2025, 12, 4)): 42,
               ("MILE-130", date(2025, 11, 21)): 40, ("MILE-130", date(2025, 12, 4)): 43}

pytestmark = pytest.mark.samples


@pytest.fixture(scope="module")
def p6_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from conftest import SAMPLES, warehouse_at

    if not SAMPLES.is_dir():
        pytest.skip(f"real sample exports not found at {SAMPLES} (they live beside the project, not in it)")
    db = tmp_path_factory.mktemp("p6") / "pmo.duckdb"
    results = ingest.ingest_paths([SAMPLES / BASELINE], baseline=True, db=db)
    results += ingest.ingest_paths([SAMPLES / u for u in UPDATES], db=db)
    assert {r.status for r in results} == {"loaded"}, [r.message for r in results]
    with warehouse_at(db):
        yield db


def test_mart_milestone_slip_holds_the_known_slips(p6_db: Path) -> None:
    con = duckdb.connect(str(p6_db), read_only=True)
    try:
        got = {(m, d): s for m, d, s in con.execute(
            "SELECT milestone_id, as_of_date, slip_days FROM mart_milestone_slip WHERE project_id = '54069' "
            "AND NOT is_baseline AND milestone_id IN ('MILE-130', 'MILE-140')").fetchall()}
    finally:
        con.close()
    assert got == KNOWN_SLIPS


def test_schedule_page_draws_the_p6_slip_trend(p6_db: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["period"] = "2025-12"
    at.run()
    at.switch_page("app_pages/schedule.py").run()
    at.segmented_control(key="schedule_trend_per").set_value("milestone").run()
    at.multiselect(key="schedule_trend_milestones").set_value(["54069"]).run()
    assert not at.exception, [e.value for e in at.exception]
    traces = [trace for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]
    lines = {t["name"]: {str(x)[:10]: y for x, y in zip(trace_values(t["x"]), trace_values(t["y"]), strict=True)}
             for t in traces if t.get("name", "").startswith("54069 · ") and t.get("mode") == "lines+markers"}
    total = next(v for k, v in lines.items() if "Total Completion" in k)
    substantial = next(v for k, v in lines.items() if "Substantial Performance" in k)
    assert (total["2025-11-21"], total["2025-12-04"]) == (39, 42)
    assert (substantial["2025-11-21"], substantial["2025-12-04"]) == (40, 43)
