"""Chart builders of the analysis pages: small hand-made frames in, figures with titled axes and the expected
traces out. Pure Plotly: no database, no Streamlit."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard.catalogue import TEXT, english
from dashboard.charts import changes, closure, documents, evm, issues, performance, quality, resources, risks, schedule
from dashboard.charts.common import finish, localise

D = dt.date

SPEC_BANDS = (("low", 4), ("medium", 9), ("high", 16), ("critical", 25))  # SPEC section 5 risk bands


def axis_titles(fig: go.Figure) -> list[str]:
    """Title text of every x/y axis in the layout (secondary axes included)."""
    layout = fig.to_plotly_json()["layout"]
    return [(layout[name].get("title") or {}).get("text") or ""
            for name in layout if name.startswith(("xaxis", "yaxis"))]


def assert_titled(fig: go.Figure) -> None:
    titles = axis_titles(fig)
    assert titles and all(titles), f"untitled axis in {titles}"
    assert fig.layout.title.text, "figure has no title"
    for trace in fig.data:
        if trace.type != "heatmap" or trace.hoverinfo != "skip":
            assert trace.hovertemplate or trace.hoverinfo == "skip", f"{trace.type} trace without hover details"


def test_risk_matrix_fills_cells_by_band_and_writes_the_counts() -> None:
    cells = pd.DataFrame({"probability": [1, 3, 5, 5], "impact": [1, 4, 5, 2], "risks": [2, 3, 1, 4],
                          "exposure": [2, 36, 25, 40]})
    fig = risks.risk_matrix(cells, measure="risks", bands=SPEC_BANDS)
    assert_titled(fig)
    heat, hits = fig.data[0], fig.data[1]
    assert heat.type == "heatmap"
    z = [list(row) for row in heat.z]
    assert len(z) == 5 and all(len(row) == 5 for row in z)
    # fill = band of p x i (low 1-4, medium 5-9, high 10-16, critical 20-25), + 4 (pale tint) when no open risk
    assert z[0][0] == 0 and z[2][3] == 2 and z[4][4] == 3 and z[4][1] == 2  # 1, 12, 25, 10 with risks
    assert z[0][1] == 4 and z[1][2] == 5 and z[3][3] == 6  # 2, 6, 16 without: pale low / medium / high
    # a low cell with many risks is green, a critical cell with one is dark red: colour says band, never count
    scale = dict((round(edge * 8), colour) for edge, colour in heat.colorscale)
    assert scale[0] == risks.BAND_COLOURS["low"] and scale[3] == risks.BAND_COLOURS["critical"]
    # the count is the cell text; empty cells say nothing
    assert heat.text[2][3] == "3" and heat.text[4][1] == "4" and heat.text[0][1] == ""
    assert sum(int(v) for row in heat.text for v in row if v) == cells["risks"].sum()
    # 25 clickable points carrying (probability, impact); a legend entry per band
    assert hits.type == "scatter" and len(hits.x) == 25
    assert {tuple(c[:2]) for c in hits.customdata} == {(p, i) for p in range(1, 6) for i in range(1, 6)}
    assert [t.name for t in fig.data[2:]] == ["Low", "Medium", "High", "Critical"]
    exposure = risks.risk_matrix(cells, measure="exposure", selected=(3, 4), bands=SPEC_BANDS)
    assert exposure.data[0].text[2][3] == "36" and [list(r) for r in exposure.data[0].z] == z
    assert "Exposure" in exposure.layout.title.text
    assert [(s.x0, s.y0) for s in exposure.layout.shapes] == [(3.5, 2.5)]  # the selected cell is outlined


@pytest.mark.parametrize(("event", "cell"), [
    ({"selection": {"points": [{"x": 4, "y": 3, "customdata": [3, 4, 12, "High", 3, 36]}]}}, (3, 4)),
    ({"selection": {"points": [{"x": 2, "y": 5}]}}, (5, 2)),
    ({"selection": {"points": []}}, None),
    (None, None),
    ({}, None),
])
def test_selected_cell_reads_plotly_selection_event(event: object, cell: tuple[int, int] | None) -> None:
    assert risks.selected_cell(event) == cell


def test_risk_band_of_uses_upper_bounds() -> None:
    assert [risks.band_of(s, SPEC_BANDS) for s in (1, 4, 5, 9, 10, 16, 20, 25)] == [
        "low", "low", "medium", "medium", "high", "high", "critical", "critical"]


def test_exposure_trend_stacks_one_trace_per_band_present() -> None:
    df = pd.DataFrame({"as_of_date": [D(2026, 8, 31), D(2026, 9, 30), D(2026, 9, 30)],
                       "band": ["high", "high", "critical"], "exposure": [24, 36, 20], "risks": [2, 3, 1]})
    fig = risks.exposure_trend(df, bands=SPEC_BANDS)
    assert_titled(fig)
    assert [t.name for t in fig.data] == ["High", "Critical"]
    assert list(fig.data[0].y) == [24, 36]


def test_slip_by_project_colours_by_threshold() -> None:
    df = pd.DataFrame({"project_id": ["P1", "P2", "P3", "P4"], "project_name": ["A", "B", "C", None],
                       "slip_days": [0, 20, 45, None], "milestone_name": ["m", "m", "m", None],
                       "late_milestones": [0, 1, 2, None]})
    fig = schedule.slip_by_project(df, amber_days=14, red_days=30)
    assert_titled(fig)
    bar = fig.data[0]
    colours = dict(zip(bar.y, bar.marker.color, strict=True))
    assert colours["P1 · A"] == schedule.RAG_COLOURS["green"]
    assert colours["P2 · B"] == schedule.RAG_COLOURS["amber"]
    assert colours["P3 · C"] == schedule.RAG_COLOURS["red"]
    assert colours["P4"] == schedule.RAG_COLOURS["grey"]  # unknown slip is grey, never green


def test_slip_trend_one_line_per_series() -> None:
    df = pd.DataFrame({"series": ["P1 · M1"] * 3 + ["P2 · M1"] * 2,
                       "as_of_date": [D(2026, 7, 31), D(2026, 8, 31), D(2026, 9, 30), D(2026, 8, 31), D(2026, 9, 30)],
                       "slip_days": [0, 10, 25, 3, 3]})
    fig = schedule.slip_trend(df)
    assert_titled(fig)
    assert [t.name for t in fig.data] == ["P1 · M1", "P2 · M1"]
    assert list(fig.data[0].y) == [0, 10, 25]


def test_milestone_timeline_dumbbells() -> None:
    df = pd.DataFrame({"label": ["P1 · Design", "P1 · Build"],
                       "baseline_date": pd.to_datetime(["2026-03-31", "2026-06-30"]),
                       "forecast_date": pd.to_datetime([None, "2026-08-15"]),
                       "actual_date": pd.to_datetime(["2026-04-10", None]),
                       "slip_days": [10, 46]})
    fig = schedule.milestone_timeline(df)
    assert_titled(fig)
    names = [t.name for t in fig.data]
    assert names[1:] == ["Baseline", "Actual", "Forecast"]
    assert len(fig.data[0].x) == 6  # two segments separated by None


def test_spi_vs_spi_t_shows_both_indices() -> None:
    df = pd.DataFrame({"project_id": ["P1", "P2"], "spi": [1.0, None], "spi_t": [0.8, 0.97],
                       "spi_t_rag": ["red", "green"]})
    fig = schedule.spi_vs_spi_t(df, bands={"green_low": 0.95, "green_high": 1.05})
    assert_titled(fig)
    assert [t.name for t in fig.data] == ["SPI", "SPI(t)"]
    assert list(fig.data[1].y) == [0.8, 0.97]


def test_utilisation_heatmap_team_by_week() -> None:
    df = pd.DataFrame({"team": ["A", "A", "B"],
                       "week_start": pd.to_datetime(["2026-09-07", "2026-09-14", "2026-09-07"]),
                       "hours_logged": [36.0, 44.0, 20.0], "capacity_hours": [40.0, 40.0, 40.0],
                       "utilisation": [0.9, 1.1, 0.5]})
    fig = resources.utilisation_heatmap(df)
    assert_titled(fig)
    heat = fig.data[0]
    assert list(heat.y) == ["B", "A"]  # busiest team on top (plotly's last row)
    assert [list(r) for r in heat.z] == [[50.0, None], [90.0, 110.0]]
    assert heat.customdata[1][1][0] == 44.0


def test_capacity_vs_logged_and_team_shares() -> None:
    df = pd.DataFrame({"week_start": pd.to_datetime(["2026-09-07", "2026-09-14"]),
                       "capacity_hours": [400.0, 400.0], "hours_logged": [380.0, 420.0],
                       "billable_hours": [300.0, 310.0]})
    fig = resources.capacity_vs_logged(df)
    assert_titled(fig)
    assert len(fig.data) == 3
    teams = pd.DataFrame({"team": ["A", "B"], "utilisation": [0.9, None], "billable_share": [0.5, 0.7],
                          "hours_logged": [10, 20], "capacity_hours": [11, 0]})
    fig = resources.team_shares(teams)
    assert_titled(fig)
    utilisation = next(tr for tr in fig.data if tr.name == "Utilisation")
    assert dict(zip(utilisation.y, utilisation.x, strict=True))["A"] == pytest.approx(90.0)


def test_s_curve_and_eac_vs_bac() -> None:
    df = pd.DataFrame({"period": ["2026-01", "2026-02", "2026-03"], "pv": [10.0, 30.0, 60.0],
                       "ev": [8.0, 25.0, 50.0], "ac": [9.0, 28.0, 62.0]})
    fig = evm.s_curve(df, bac=100.0, currency="EUR")
    assert_titled(fig)
    assert [t.name for t in fig.data] == ["Planned value (PV)", "Earned value (EV)", "Actual cost (AC)"]
    assert pd.Timestamp(fig.data[0].x[1]) == pd.Timestamp("2026-02-28")
    assert "EUR" in fig.layout.yaxis.title.text
    planned = evm.s_curve(df.assign(pv_plan=[10.0, 30.0, 60.0]))
    assert [t.name for t in planned.data][0] == "Plan to completion (PV)"
    bac = pd.DataFrame({"project_id": ["P1", "P2"], "bac": [100.0, 50.0], "eac": [120.0, None], "vac": [-20.0, None]})
    fig = evm.eac_vs_bac(bac)
    assert_titled(fig)
    assert [t.name for t in fig.data] == ["BAC", "EAC"]


def test_health_ranking_segments_sum_to_score() -> None:
    df = pd.DataFrame({"label": ["P1", "P2"], "health_score": [80.0, 40.0],
                       "cost_score": [100.0, 0.0], "cost_points": [50.0, 0.0],
                       "schedule_score": [60.0, 80.0], "schedule_points": [30.0, 40.0]})
    fig = performance.health_ranking(df, ["cost", "schedule"])
    assert_titled(fig)
    assert len(fig.data) == 2
    totals = [sum(t.x[i] for t in fig.data) for i in range(2)]
    assert sorted(totals) == [40.0, 80.0]


def test_rag_agreement_counts() -> None:
    df = pd.DataFrame({"computed_rag": ["green", "red", None], "declared_rag": ["green", "green", "amber"],
                       "projects": [3, 1, 2]})
    fig = performance.rag_agreement(df)
    assert_titled(fig)
    z = [list(r) for r in fig.data[0].z]
    assert z[0][0] == 3 and z[0][2] == 1 and z[1][3] == 2


def test_change_charts() -> None:
    df = pd.DataFrame({"change_id": ["C1", "C2", "C3"], "decision": ["approved", "rejected", "pending"],
                       "cycle_days": [10, 30, None]})
    fig = changes.cycle_time_histogram(df)
    assert_titled(fig)
    assert [t.name for t in fig.data] == ["Approved", "Rejected"]
    cum = pd.DataFrame({"decision_date": pd.to_datetime(["2026-01-05", "2026-02-01"]), "change_id": ["C1", "C4"],
                        "cum_cost_impact": [1000.0, 3000.0], "cum_schedule_days": [5.0, 12.0]})
    fig = changes.cumulative_impact(cum)
    assert_titled(fig)
    assert fig.layout.yaxis2.title.text.endswith("(days)")


def test_issue_charts() -> None:
    df = pd.DataFrame({"age_band": ["0-30", "90+", "31-60"], "kind": ["issue", "issue", "action"], "items": [2, 1, 4]})
    fig = issues.open_by_age(df, {"0-30": "0–30 days", "31-60": "31–60 days", "61-90": "61–90 days",
                                  "90+": "over 90 days"})
    assert_titled(fig)
    assert {t.name: list(t.y) for t in fig.data} == {"Action": [0, 4, 0, 0], "Issue": [2, 0, 0, 1]}
    owners = pd.DataFrame({"owner": ["ann", None], "open_items": [5, 2], "overdue_items": [2, 0]})
    fig = issues.open_by(owners, "owner")
    assert_titled(fig)
    assert "(unassigned)" in list(fig.data[0].y)


def test_quality_charts() -> None:
    df = pd.DataFrame({"period": ["2026-08", "2026-09"], "checks": [10, 8], "passed": [9, 6],
                       "pass_rate": [0.9, 0.75], "defects_open": [4, 7], "defects_closed": [2, 1]})
    fig = quality.pass_rate_trend(df, amber_below=0.9, red_below=0.75)
    assert_titled(fig)
    assert list(fig.data[1].y) == [90.0, 75.0]
    fig = quality.defects_trend(df)
    assert_titled(fig)
    assert list(fig.data[1].y) == [4, 7]


def test_document_charts() -> None:
    df = pd.DataFrame({"project_id": ["P1", "P1", "P2"], "lifecycle_stage": ["planning", "planning", "closing"],
                       "document_type": ["charter", "risk_register", "closure_report"],
                       "state": ["present", "missing", "stale"],
                       "last_updated": [D(2026, 1, 1), None, D(2025, 1, 1)]})
    fig = documents.document_matrix(df)
    assert_titled(fig)
    z = [list(r) for r in fig.data[0].z]
    # rows P1 · planning, P2 · closing; columns charter, closure_report, risk_register
    assert z == [[1, 0, 3], [0, 2, 0]]
    # every state's code lands on its own colour of the discrete scale
    scale = [(float(pos), colour) for pos, colour in fig.data[0].colorscale]
    for state, code in (("present", 1), ("stale", 2), ("missing", 3), ("not_required", 0)):
        position = code / 3
        below = [colour for pos, colour in scale if pos <= position]
        above = [colour for pos, colour in scale if pos >= position]
        assert below[-1] == above[0] == documents.STATE_COLOURS[state], state
    summary = pd.DataFrame({"lifecycle_stage": ["planning", "planning", "closing"],
                            "state": ["present", "missing", "stale"], "documents": [1, 1, 1]})
    fig = documents.stage_summary(summary)
    assert_titled(fig)
    assert [t.name for t in fig.data] == ["Present", "Stale", "Missing"]
    assert list(fig.data[0].x) == ["Planning", "Closing"]  # lifecycle order, not alphabetical


def test_final_variances() -> None:
    df = pd.DataFrame({"project_id": ["P1", "P2"], "project_name": ["A", "B"], "finish_slip_days": [30, -5],
                       "cost_variance_pct": [-0.1, 0.02], "cost_variance": [-10.0, 2.0], "bac": [100.0, 100.0],
                       "final_ac": [110.0, 98.0]})
    fig = closure.final_variances(df)
    assert_titled(fig)
    late, on_time = fig.data  # two named traces, so the legend says what red and green mean
    assert (late.name, on_time.name) == ("Late or over budget", "On time and within budget")
    assert (list(late.y), list(on_time.y)) == (pytest.approx([-10.0]), pytest.approx([2.0]))
    assert (list(late.text), late.marker.color, on_time.marker.color) == (["P1"], "#c62828", "#2e7d32")


def test_builders_accept_empty_frames() -> None:
    empty_cells = pd.DataFrame(columns=["probability", "impact", "risks", "exposure"])
    empty = risks.risk_matrix(empty_cells, bands=SPEC_BANDS).data[0]
    assert min(map(min, empty.z)) >= 4 and not any(v for row in empty.text for v in row)  # all pale, no counts
    assert_titled(resources.utilisation_heatmap(pd.DataFrame(
        columns=["team", "week_start", "hours_logged", "capacity_hours", "utilisation"])))
    assert_titled(changes.cycle_time_histogram(pd.DataFrame(columns=["change_id", "decision", "cycle_days"])))


def test_every_key_is_in_both_catalogue_files_with_the_same_placeholders() -> None:
    import string

    en, zh = TEXT["en"], TEXT["zh"]
    assert set(en) == set(zh), sorted(set(en) ^ set(zh))
    fields = {lang: {key: {f for _, f, _, _ in string.Formatter().parse(text) if f} for key, text in texts.items()}
              for lang, texts in TEXT.items()}
    assert not [key for key in en if fields["en"][key] != fields["zh"][key]]
    assert not [key for key, text in zh.items() if not text.strip()], "no empty translation"
    assert english("iss.chart.by_dim", dim="Owner") == "Open items by Owner"


def test_configured_band_names_outside_the_catalogue_still_render() -> None:
    bands = [("minor", 6), ("major", 25)]
    cells = pd.DataFrame({"probability": [5], "impact": [5], "risks": [1], "exposure": [25]})
    fig = risks.risk_matrix(cells, bands=bands)
    assert fig.data[1].customdata[-1][3] == "major"  # the data value, not a missing-key marker
    trend = pd.DataFrame({"as_of_date": [D(2026, 9, 30)], "band": ["major"], "exposure": [25], "risks": [1]})
    assert [t.name for t in risks.exposure_trend(trend, bands=bands).data] == ["major"]


# --- localise: every figure on its way to the screen --------------------------------------------------

def test_localise_gives_chinese_date_ticks_and_written_out_numbers() -> None:
    trend = pd.DataFrame({"series": ["A", "A"], "as_of_date": pd.to_datetime(["2026-01-31", "2026-02-28"]),
                          "slip_days": [3, 5]})
    fig = localise(schedule.slip_trend(trend), "zh")
    stops = {tuple(s.dtickrange): s.value for s in fig.layout.xaxis.tickformatstops}
    assert stops[("M1", "M12")] == "%Y年%-m月" and stops[("M12", None)] == "%Y年"
    assert fig.layout.yaxis.exponentformat == "none" and fig.layout.yaxis.separatethousands
    assert not fig.layout.yaxis.tickformatstops  # a number axis gets no date format
    curve = pd.DataFrame({"period": ["2026-01", "2026-02"], "pv": [1e6, 2e6], "ev": [1e6, 1.8e6],
                          "ac": [1.1e6, 2.1e6]})
    money = localise(evm.s_curve(curve), "zh")
    assert money.layout.xaxis.tickformatstops and money.layout.yaxis.exponentformat == "none"  # 2,000,000, not 2M
    # category axes (projects) and English figures are left as plotly draws them
    bars = localise(evm.eac_vs_bac(pd.DataFrame({"project_id": ["P1"], "bac": [1e6], "eac": [1.2e6],
                                                 "vac": [-2e5]})), "zh")
    assert bars.layout.xaxis.exponentformat is None and bars.layout.yaxis.exponentformat == "none"
    english_fig = localise(schedule.slip_trend(trend), "en")
    assert not english_fig.layout.xaxis.tickformatstops and english_fig.layout.yaxis.exponentformat is None


def test_localise_finds_date_axes_of_secondary_and_heatmap_traces() -> None:
    monthly = pd.DataFrame({"period": ["2026-08", "2026-09"], "checks": [10, 12], "passed": [9, 12],
                            "pass_rate": [0.9, 1.0]})
    fig = localise(quality.pass_rate_trend(monthly, amber_below=0.9, red_below=0.75), "zh")
    assert fig.layout.xaxis.tickformatstops
    assert fig.layout.yaxis2.separatethousands and not fig.layout.yaxis2.tickformatstops
    weeks = pd.DataFrame({"team": ["T"], "week_start": [pd.Timestamp("2026-10-05")], "hours_logged": [30.0],
                          "capacity_hours": [40.0], "utilisation": [0.75]})
    heat = localise(resources.utilisation_heatmap(weeks), "zh")
    assert heat.layout.xaxis.tickformatstops and not heat.layout.yaxis.tickformatstops


# --- as_text: data is never markup ---------------------------------------------------------------------

HOSTILE = '<a href="https://evil.example/">Evil</a><span style="color:#ff0000">Red</span> & Co'


def test_every_string_a_figure_carries_is_escaped_and_its_category_order_still_matches() -> None:
    data = pd.DataFrame({"label": [f"P1 · {HOSTILE}", "P2 · Plain"], "health_score": [80.0, 60.0],
                         **{f"{d}_score": [80.0, 60.0] for d in ("cost", "schedule", "risk", "quality", "freshness")},
                         **{f"{d}_points": [24.0, 18.0] for d in ("cost", "schedule", "risk", "quality", "freshness")}})
    fig = performance.health_ranking(data, ("cost", "schedule", "risk", "quality", "freshness"))
    fig.update_layout(title=f"Curve of {HOSTILE}")
    shown = finish(fig, "en").to_json()
    assert "<a href" not in shown and "<span" not in shown and "& Co" not in shown
    escaped = "P1 · &lt;a href=\"https://evil.example/\"&gt;Evil&lt;/a&gt;&lt;span style=\"color:#ff0000\"&gt;Red" \
              "&lt;/span&gt; &amp; Co"
    assert escaped in fig.data[0].y and sorted(fig.layout.yaxis.categoryarray) == sorted(fig.data[0].y)
    assert fig.layout.title.text.startswith("Curve of &lt;a href=")


def test_a_large_portfolio_draws_its_worst_and_largest_projects_and_groups_the_rest() -> None:
    """2,000 projects: 300 bubbles one by one (the 10 furthest below plan, then the largest), the others one bubble
    per RAG and 0.05 x 0.05 cell; every project and every euro of BAC is on the chart exactly once."""
    from dashboard.charts.overview import BUBBLES, cpi_spi_bubble

    n = 2_000
    frame = pd.DataFrame({
        "project_id": [f"P{i:04d}" for i in range(n)], "project_name": [f"Project {i}" for i in range(n)],
        "cpi": [0.70 + (i % 61) / 100 for i in range(n)], "spi": [1.0] * n,
        "spi_t": [0.80 + (i * 7 % 41) / 100 for i in range(n)], "bac": [float(1_000 + i) for i in range(n)],
        "eac": [2_000.0] * n, "computed_rag": [("green", "amber", "red")[i % 3] for i in range(n)]})
    frame.loc[1_234, ["cpi", "spi_t"]] = [0.2, 0.3]  # the worst by far, and small: still drawn and named
    fig = cpi_spi_bubble(frame, tr=english)
    alone = [t for t in fig.data if t.mode == "markers+text"]
    grouped = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(t.x) for t in alone) == BUBBLES and sum(len(t.x) for t in grouped) < 400
    assert "P1234" in {label for t in alone for label in t.text}
    assert "P1999" in {row[0] for t in alone for row in t.customdata}  # the largest BAC
    drawn = {t.name: len(t.x) for t in alone}
    for trace in grouped:
        drawn[trace.name] += sum(int(row[0]) for row in trace.customdata)
    assert drawn == {"Green": 667, "Amber": 667, "Red": 666}
    bac = sum(float(row[4]) for t in alone for row in t.customdata) + sum(
        float(row[1]) for t in grouped for row in t.customdata)
    assert bac == pytest.approx(frame["bac"].sum())
    assert "The other 1,700 projects are drawn as one bubble per RAG" in fig.layout.title.subtitle.text
