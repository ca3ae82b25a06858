"""Resources (PEO duty 2): utilisation heatmap team x ISO week, capacity vs logged hours, over- and under-allocated
people, billable share. People-based: hours and capacity are summed first, then divided."""

import streamlit as st

from dashboard import filters, ui
from dashboard.charts import resources as charts
from dashboard.i18n import t
from dashboard.metrics import resources as metrics

TEAMS = 40  # teams in the heatmap and the team chart, busiest first; every team is in the tables

f = filters.current()
ui.page_header("page.resources", about=f.about())
if not ui.require_data("mart_utilisation") or not f.period:
    st.stop()
st.caption(t("res.caption", month=ui.month_label(f.period)))
if f.params()["by_project"]:
    st.caption(t("res.by_project"))

people = metrics.people_month(f)
ui.kpis(metrics.tiles(f, people))

weeks = st.select_slider(t("res.weeks"), options=[4, 8, 13, 26, 52], value=13, key="resources_weeks")
week_from, week_to = metrics.window(f, weeks)
team_weeks = metrics.team_weeks(f, week_from, week_to)
shown = metrics.busiest_teams(team_weeks, TEAMS)
ui.chart(charts.utilisation_heatmap(shown, tr=t), key="resources_heatmap")
if shown["team"].nunique() < team_weeks["team"].nunique():
    st.caption(t("res.top_teams", n=TEAMS, total=team_weeks["team"].nunique()))
ui.chart(charts.capacity_vs_logged(metrics.weekly_totals(team_weeks), tr=t), key="resources_capacity")
teams = metrics.team_month(people)
ui.chart(charts.team_shares(teams.sort_values("utilisation", ascending=False).head(TEAMS), tr=t),
                key="resources_team_shares")

over, under = metrics.thresholds()
columns = ["employee_id", "name", "utilisation", "team", "role", "hours_logged", "capacity_hours", "billable_share"]
st.subheader(t("res.over_heading"))  # full width, one under the other: no column of either is cut off
st.caption(t("res.over_caption", pct=ui.fmt_pct(over, 0), month=ui.month_label(f.period)))
ui.table(people.loc[people["allocation"] == "over", columns].sort_values("utilisation", ascending=False),
         key="resources_over", file_stem=f"over_allocated_{f.period}")
st.subheader(t("res.under_heading"))
st.caption(t("res.under_caption", pct=ui.fmt_pct(under, 0), month=ui.month_label(f.period)))
ui.table(people.loc[people["allocation"] == "under", columns].sort_values("utilisation"), key="resources_under",
         file_stem=f"under_allocated_{f.period}")

if st.toggle(t("res.all_toggle"), key="resources_show_all"):
    ui.table(people, key="resources_people", file_stem=f"utilisation_people_{f.period}",
             column_order=["employee_id", "name", "utilisation", "allocation"])
    ui.table(team_weeks, key="resources_team_weeks", file_stem=f"utilisation_team_weeks_{week_to}")
