"""Project detail: everything about one project in the selected month (also opened by link: ?project=ID)."""

import streamlit as st

from dashboard import filters, ui
from dashboard.charts.evm import s_curve
from dashboard.i18n import code_label, reasons, t
from dashboard.metrics import project

f = filters.current()
ui.page_header("page.project_detail", about=f.about())
if not ui.require_data("mart_health", "mart_evm"):
    st.stop()
st.caption(t("pd.caption", month=ui.month_label(f.period)))

requested = st.query_params.get("project")
labels = project.options(f, requested)
if not labels:
    st.info(t("pd.none"))
    st.stop()
unknown = requested is not None and requested not in labels and "project_detail_project" not in st.session_state
if unknown:  # a link to a project the warehouse does not hold: say so, never show another one instead
    st.warning(t("pd.unknown_project", project=ui.md(requested)))
filters.from_url("project_detail_project", list(labels), None if unknown else next(iter(labels)), param="project")
project_id = st.selectbox(t("pd.select"), list(labels), format_func=lambda p: labels[p], key="project_detail_project")
filters.to_url("project_detail_project", None, param="project")  # a link ?project=ID opens this project
if project_id is None:
    st.stop()
summary = project.summary(f, project_id)

st.subheader(ui.md(labels[project_id]))
st.markdown(f"{t('col.computed_rag')} {ui.rag_chip(summary['computed_rag'])} · "
            f"{t('col.declared_rag')} {ui.rag_chip(summary['declared_rag'])}")
if summary["computed_rag"] == "grey" and summary["grey_reason"]:
    with st.popover(t("ui.why_unknown"), type="tertiary", icon=":material/help:"):
        st.caption(ui.md(reasons(summary["grey_reason"])))
st.caption(" · ".join(ui.md(code_label(c, summary[c])) for c in ("portfolio", "programme", "department", "manager",
                                                                 "lifecycle_stage", "status") if summary.get(c)))
ui.kpis(project.tiles(summary))

left, right = st.columns([3, 2])
evm = project.evm(f, project_id)
with left:
    if project.has_curve(evm):
        ui.chart(s_curve(evm, currency=summary.get("currency") or "", bac=summary.get("bac"), tr=t),
                 key="project_detail_s_curve")
    else:
        st.markdown(f"**{t('pd.s_curve')}**")
        st.caption(t("pd.no_curve"))
with right:
    st.markdown(f"**{t('pd.health')}**")
    ui.table(project.drivers(summary), key="project_detail_drivers", file_stem=f"{project_id}_health",
             missing=t("ui.unknown"), wrap=True,
             column_config={"score": st.column_config.ProgressColumn(t("col.health_score"), min_value=0,
                                                                      max_value=100, format="%.0f")})

tabs = st.tabs([t(f"pd.{name}") for name in (*project.SECTIONS, "evm")])
held_back = project.quarantined(project_id)
for tab, name in zip(tabs, project.SECTIONS, strict=False):
    with tab:
        if name in held_back:  # a register short of rows the gate quarantined says so, and where to look
            rows, rules = held_back[name]
            st.warning(t("pd.quarantined", rows=rows, rules=ui.md(rules)), icon=":material/rule:")
        ui.table(project.section(name, f, project_id), key=f"project_detail_{name}",
                 file_stem=f"{project_id}_{name}_{f.period}", wrap=name == "commentary",
                 empty=t("pd.none_section", month=ui.month_label(f.period)))
with tabs[-1]:
    ui.table(evm, key="project_detail_evm", file_stem=f"{project_id}_evm")
