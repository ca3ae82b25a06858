"""Schedule (PEO duty 1): milestone slip baseline vs forecast / actual, its trend across snapshots, overdue
milestones, on-time rate, and SPI beside SPI(t) — earned schedule, which a finished-late project cannot hide."""

import streamlit as st

from dashboard import filters, ui
from dashboard.charts import schedule as charts
from dashboard.i18n import t
from dashboard.metrics import schedule as metrics

TOP = 25  # projects in the slip and SPI(t) charts (worst first); every project is in the tables
LINES = 8  # lines in the slip-trend chart by default (the worst slips)

f = filters.current()
ui.page_header("page.schedule", about=f.about())
if not ui.require_data("mart_milestone_slip", "mart_evm") or not f.period:
    st.stop()
st.caption(t("sched.caption", month=ui.month_label(f.period)))

limits = metrics.thresholds()
milestones = metrics.milestones(f)
ui.kpis(metrics.tiles(f, milestones))

# --- SPI vs SPI(t) -------------------------------------------------------------------------------
st.subheader(t("sched.spi_heading"))
st.caption(t("sched.spi_caption"))
indices = metrics.indices(f).sort_values(["spi_t", "project_id"], na_position="last")  # worst SPI(t) first
ui.chart(charts.spi_vs_spi_t(indices.head(TOP), bands=limits.bands, tr=t), key="schedule_spi_chart")
if len(indices) > TOP:
    st.caption(t("sched.spi_top", n=TOP, total=len(indices)))
shown = indices[["project_id", "project_name", "spi_t", "spi_t_rag", "spi", "spi_rag", "sv_t", "es", "at_months",
                 "percent_complete"]]  # full width: no RAG column cut off
ui.table(shown, key="schedule_indices", file_stem=f"spi_spi_t_{f.period}")

# --- milestone slip ------------------------------------------------------------------------------
st.subheader(t("sched.slip_heading"))
if milestones.empty:
    st.caption(t("sched.no_milestones"))
    st.stop()
worst = metrics.slip_by_project(f)
ui.chart(charts.slip_by_project(worst.head(TOP), amber_days=limits.amber_days, red_days=limits.red_days,
                                       tr=t), key="schedule_slip_chart")
if len(worst) > TOP:
    st.caption(t("sched.top_n", n=TOP, total=len(worst)))

st.subheader(t("sched.trend_heading"))
per = st.segmented_control(t("sched.trend_per"), ["project", "milestone"], default="project", required=True,
                           format_func=lambda p: t(f"sched.per.{p}"), key="schedule_trend_per")
by_project = metrics.slip_trend(f)
ranked = list(metrics.latest_slip(by_project).index)
if per == "project":
    chosen = st.multiselect(t("sched.trend_projects"), ranked, default=ranked[:LINES], key="schedule_trend_projects",
                            placeholder=t("sched.trend_default", n=LINES))
    trend = by_project[by_project["series"].isin(chosen or ranked[:LINES])]
else:
    chosen = st.multiselect(t("sched.trend_projects"), ranked, default=ranked[:3], key="schedule_trend_milestones",
                            placeholder=t("sched.trend_default", n=3))
    trend = metrics.slip_trend_milestones(f, chosen or ranked[:3])
ui.chart(charts.slip_trend(trend, tr=t), key="schedule_trend_chart")

st.subheader(t("sched.timeline_heading"))
projects = list(worst["project_id"])
names = dict(zip(worst["project_id"], worst["project_name"].fillna(""), strict=True))
project = st.selectbox(t("sched.timeline_project"), projects, format_func=lambda p: f"{p} · {names.get(p, '')}",
                       key="schedule_project")
if project:
    ui.chart(charts.milestone_timeline(metrics.timeline(f, project), tr=t), key="schedule_timeline_chart")

st.subheader(t("sched.overdue_heading"))
overdue = metrics.overdue(f)[["project_id", "project_name", "milestone_id", "milestone_name", "is_gate",
                              "baseline_date", "forecast_date", "days_overdue", "slip_days", "as_of_date",
                              "source_file"]]
ui.table(overdue, key="schedule_overdue", file_stem=f"overdue_milestones_{f.period}")

if st.toggle(t("sched.all_toggle"), key="schedule_show_all"):
    ui.table(milestones, key="schedule_all", file_stem=f"milestones_{f.period}")
