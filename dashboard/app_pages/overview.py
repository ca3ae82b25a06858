"""Portfolio overview: the executive's one screen — KPI tiles, CPI vs SPI(t), who needs attention, what changed."""

import streamlit as st

from dashboard import filters, ui
from dashboard.charts.overview import cpi_spi_bubble
from dashboard.i18n import t
from dashboard.metrics import overview
from dashboard.pack import download

f = filters.current()
ui.page_header("page.overview", about=f.about())
if not ui.require_data("mart_health", "mart_evm"):
    st.stop()
before = filters.previous_period(f.period)
st.caption(t("ov.caption", month=ui.month_label(f.period), previous=ui.month_label(before)))
download.offer(f)

tiles, rags = overview.headline(f)
active, rag, risks, used = st.columns([1, 2, 1, 1])
with active:
    ui.tile(tiles["active"])
with rag:
    ui.rag_counts(t("ov.rag_counts"), rags, help=t("ov.rag_help"))
with risks:
    ui.tile(tiles["risks"])
with used:
    ui.tile(tiles["utilisation"])
ui.kpis([tiles[key] for key in ("cpi", "spi_t", "spi", "eac")])
st.caption(overview.health_rule(f))

projects = overview.projects(f)
grey = projects[projects["is_active"] & (projects["computed_rag"] == "grey")]
if len(grey):
    with st.popover(t("ov.why_grey", n=len(grey)), icon=":material/help:", type="tertiary"):
        ui.table(overview.grey_reasons(grey), key="overview_grey", file_stem="unknown_rag", wrap=True)

index = st.segmented_control(t("ov.schedule_index"), ["spi_t", "spi"], default="spi_t", required=True,
                             format_func={"spi_t": "SPI(t)", "spi": "SPI"}.__getitem__, key="overview_schedule_index")
currency = projects["currency"].dropna().unique()
active = projects[projects["is_active"]]  # the projects the RAG tile counts: its red number is the chart's red
ui.chart(cpi_spi_bubble(active, tr=t, schedule_index=index, currency=currency[0] if len(currency) == 1 else ""),
         key="overview_bubble")
missing = projects[projects["is_active"] & (projects["cpi"].isna() | projects[index].isna())]
if len(missing):
    st.caption(t("ov.no_index", projects=ui.md(", ".join(missing["project_id"]))))

# full width: the reason is what the executive reads, it must not hide behind a scroll bar
st.subheader(t("ov.attention"))
attention = overview.attention(f)
st.caption(f"{t('ov.attention_caption')} {t('ov.open_detail')}")
reason_column = {"reason": st.column_config.TextColumn(t("col.reason"), width="large")}
if picked := ui.table(attention, key="overview_attention", file_stem=f"attention_{f.period}", selectable=True,
                      column_config=reason_column, wrap=True):
    ui.open_project(attention["project_id"].iloc[picked[0]])

st.subheader(t("ov.changes", previous=ui.month_label(before)))
changes = overview.changes(f)
if changes.empty:
    st.caption(t("ov.changes_none", previous=ui.month_label(before), month=ui.month_label(f.period)))
else:
    counts_by_kind = changes["kind"].value_counts()
    kinds = st.pills(t("col.kind"), list(counts_by_kind.index), selection_mode="multi", key="overview_change_kinds",
                     format_func=lambda k: f"{k} ({counts_by_kind[k]})", label_visibility="collapsed")
    shown = changes[changes["kind"].isin(kinds)] if kinds else changes
    # a large portfolio moves by tens of thousands of rows: the page sends the first ones (RAG moves, then the
    # largest slips and EAC moves first), the pills narrow it by kind and the downloads hold every row
    ui.table(shown, key="overview_changes", file_stem=f"changes_{before}_{f.period}",
             column_config={"cause": st.column_config.TextColumn(t("col.cause"), width="large")}, wrap=True)
