"""Budget & EVM: the month's earned-value table (n/a where a ratio cannot be computed), S-curves of PV / EV / AC for
one project and for the filtered portfolio (roll-up: sums first, then ratios), EAC vs BAC."""

import streamlit as st

from dashboard import filters, ui
from dashboard.charts import evm as charts
from dashboard.i18n import t
from dashboard.metrics import budget_evm as metrics

TOP = 30  # projects in the EAC vs BAC chart, largest overrun (VAC) first; every project is in the table

f = filters.current()
ui.page_header("page.budget_evm", about=f.about())
if not ui.require_data("mart_evm") or not f.period:
    st.stop()
st.caption(t("evm.caption", month=ui.month_label(f.period)))

ui.kpis(metrics.tiles(f))
table = metrics.table(f)
currencies = table["currency"].dropna().unique()
currency = str(currencies[0]) if len(currencies) == 1 else ""

st.subheader(t("evm.table_heading"))
st.caption(t("evm.table_caption"))
ui.table(metrics.worst_first(table), key="budget_evm_table", file_stem=f"evm_{f.period}",
         column_order=["project_id", "project_name", "cpi", "cpi_rag", "spi_t", "spi_t_rag", "spi", "spi_rag", "vac"])

st.subheader(t("evm.curves_heading"))
left, right = st.columns(2)
with left:
    portfolio = metrics.portfolio_curve(f)
    ui.chart(charts.s_curve(portfolio, currency=currency, title=t("evm.portfolio_curve"), tr=t),
                    key="budget_evm_portfolio_curve")
    st.caption(t("evm.portfolio_curve_caption"))
with right:
    measured = table[table["has_figures"]]
    names = dict(zip(measured["project_id"], measured["project_name"].fillna(""), strict=True))
    project = st.selectbox(t("evm.project"), list(names), format_func=lambda p: f"{p} · {names[p]}",
                           key="budget_evm_project")
    if project:
        row = measured[measured["project_id"] == project].iloc[0]
        curve = metrics.project_curve(f, project)
        ui.chart(charts.s_curve(curve, currency=str(row["currency"] or ""), bac=row["bac"],
                                       title=t("evm.project_curve", project=project), tr=t),
                        key="budget_evm_project_curve")

st.subheader(t("evm.eac_heading"))
measured = table[table["has_figures"]].sort_values("vac", na_position="last")
ui.chart(charts.eac_vs_bac(measured.head(TOP), currency=currency, tr=t), key="budget_evm_eac")
if len(measured) > TOP:
    st.caption(t("evm.eac_top", n=TOP, total=len(measured)))

if st.toggle(t("evm.rollup_toggle"), key="budget_evm_show_rollup"):
    level = st.segmented_control(t("evm.rollup_level"), list(metrics.LEVELS), default="portfolio", required=True,
                                 format_func=lambda v: t(f"evm.level.{v}"), key="budget_evm_level")
    rolled = metrics.rollup(f, level)
    ui.table(rolled, key="budget_evm_rollup", file_stem=f"evm_rollup_{level}_{f.period}")
