"""Closure & lessons (PEO duty 10): final variances of projects closed by the month end, and the searchable lessons
register (the search text is a bound parameter, matched case-insensitively)."""

import streamlit as st

from dashboard import filters, ui
from dashboard.charts import closure as charts
from dashboard.i18n import t
from dashboard.metrics import closure_lessons as metrics

f = filters.current()
ui.page_header("page.closure_lessons")
if not ui.require_data("dim_project") or not f.period:
    st.stop()
st.caption(t("clo.caption", month=ui.month_label(f.period)))

closed = metrics.closed(f)
tiles = st.container()  # filled once the lessons search below is known

st.subheader(t("clo.variances_heading"))
if closed.empty:
    st.caption(t("clo.none_closed"))
else:
    ui.chart(charts.final_variances(closed, tr=t), key="closure_lessons_variances")
    ratios = {c: st.column_config.NumberColumn(t(f"col.{c}"), format="%.2f")
              for c in ("final_cpi", "final_spi", "final_spi_t", "final_sv_t")}
    money = {c: st.column_config.NumberColumn(t(f"col.{c}"), format="%,.0f")
             for c in ("bac", "final_ac", "final_ev", "cost_variance")}
    share = {"cost_variance_pct": st.column_config.NumberColumn(t("col.cost_variance_pct"), format="percent"),
             "final_percent_complete": st.column_config.NumberColumn(t("col.final_percent_complete"),
                                                                     format="%.1f")}
    ui.table(closed, key="closure_lessons_projects", file_stem=f"closed_projects_{f.period}", max_rows=ui.SCREEN_ROWS,
             column_config=ratios | money | share)

st.subheader(t("clo.lessons_heading"))
search = st.text_input(t("clo.search"), key="closure_lessons_search", placeholder=t("clo.search_placeholder"),
                       max_chars=metrics.MAX_SEARCH)
lessons = metrics.lessons(f, search)
with tiles:
    ui.kpis(metrics.tiles(closed, lessons))
st.caption(t("clo.lessons_caption", n=len(lessons)) if search else t("clo.lessons_all", n=len(lessons)))
ui.table(lessons, key="closure_lessons_table", file_stem=f"lessons_{f.period}", max_rows=ui.SCREEN_ROWS)
