"""Performance (PEO duty 7): health-score ranking with its weighted drivers beside it, computed vs declared RAG
with disagreements flagged, the EVM summary and team performance (utilisation and billable share)."""

import streamlit as st

from dashboard import filters, ui
from dashboard.charts import performance as charts
from dashboard.charts import resources as resource_charts
from dashboard.i18n import t
from dashboard.metrics import budget_evm, resources
from dashboard.metrics import performance as metrics

TOP = 30  # projects in the ranking chart, worst first; the table below lists every project

f = filters.current()
ui.page_header("page.performance", about=f.about())
if not ui.require_data("mart_health") or not f.period:
    st.stop()
st.caption(t("perf.caption", month=ui.month_label(f.period)))

health = metrics.health(f)
st.caption(t("perf.scope", **metrics.scope(health)))
ui.kpis(metrics.tiles(health))

st.subheader(t("perf.ranking_heading"))
weights = metrics.weights()
st.caption(t("perf.ranking_caption", weights=", ".join(
    f"{t(f'perf.driver.{d}')} {w / sum(weights.values()):.0%}" for d, w in weights.items() if w)))
ranking = metrics.ranking(f)
ui.chart(charts.health_ranking(ranking.head(TOP), metrics.DRIVERS, tr=t), key="performance_ranking")
if len(ranking) > TOP:
    st.caption(t("perf.top_n", n=TOP, total=len(ranking)))
unscored = health[health["health_score"].isna()]
if len(unscored):
    st.caption(t("perf.unscored", projects=ui.md(", ".join(unscored["project_id"]))))
driver_cols = [f"{d}_score" for d in metrics.DRIVERS]
scores = {c: st.column_config.ProgressColumn(t(f"col.{c}"), format="%.0f", min_value=0, max_value=100)
          for c in ["health_score", *driver_cols]}
ui.table(health[["project_id", "project_name", "health_score", "health_rag", "unknown_drivers", *driver_cols, "cpi",
                 "spi_t", "exposure", "pass_rate", "status_age_days", "grey_reason"]],
         key="performance_health", file_stem=f"health_{f.period}", column_config=scores, wrap=True,
         missing=t("ui.unknown"))  # an unknown score says so, and why beside

st.subheader(t("perf.rag_heading"))
st.markdown(metrics.three_rags(f))
left, right = st.columns([2, 3])
with left:
    ui.chart(charts.rag_agreement(metrics.rag_agreement(health), tr=t), key="performance_rag_agreement")
with right:
    st.caption(t("perf.rag_caption"))
    flagged = metrics.disagreements(health)
    ui.table(flagged[["project_id", "project_name", "computed_rag", "declared_rag", "rag_gap", "health_score",
                      "grey_reason"]], key="performance_disagreements", file_stem=f"rag_disagreements_{f.period}",
             wrap=True)

st.subheader(t("perf.evm_heading"))
ui.kpis(budget_evm.tiles(f))
if st.toggle(t("perf.evm_toggle"), key="performance_show_evm"):
    level = st.segmented_control(t("evm.rollup_level"), list(budget_evm.LEVELS), default="portfolio", required=True,
                                 format_func=lambda v: t(f"evm.level.{v}"), key="performance_evm_level")
    ui.table(budget_evm.rollup(f, level), key="performance_evm_rollup", file_stem=f"evm_{level}_{f.period}")

st.subheader(t("perf.team_heading"))
teams = resources.team_month(resources.people_month(f))
left, right = st.columns([3, 2])
with left:
    ui.chart(resource_charts.team_shares(teams, tr=t, title_key="perf.chart.team"), key="performance_teams")
with right:
    ui.table(teams, key="performance_team_table", file_stem=f"team_performance_{f.period}",
             column_order=["team", "utilisation", "billable_share"])  # the ratios first in the narrow column
