"""Load data: an analyst uploads exports; they pass the same quality gate as `pmo ingest` and the report shows here."""

from pathlib import Path

import pandas as pd
import streamlit as st

from contract.sources import SOURCES
from dashboard import auth, db, ui, uploads
from dashboard.i18n import t

ui.page_header("page.load_data", "load.caption")
auth.require("analyst")

with st.form("load_data_form", clear_on_submit=True):
    files = st.file_uploader(t("load.files"), type=list(uploads.EXTENSIONS), accept_multiple_files=True,
                             key="load_data_files")
    left, right = st.columns(2)
    sources = {None: t("load.auto")} | {name: t(f"src.{name}") for name in SOURCES}
    source = left.selectbox(t("load.source"), list(sources), format_func=sources.__getitem__, key="load_data_source")
    as_of = right.date_input(t("load.as_of"), value=None, help=t("load.as_of_help"), key="load_data_as_of")
    strict = st.checkbox(t("load.strict"), key="load_data_strict")
    baseline = st.checkbox(t("load.baseline"), key="load_data_baseline")
    submitted = st.form_submit_button(t("load.submit"), type="primary", icon=":material/upload:")

if submitted and not files:
    st.warning(t("load.need_files"))
elif submitted:
    try:
        folder = uploads.save(files)
    except uploads.UploadRefused as big:
        mib = {"incoming": f"{big.incoming / 2**20:,.1f}", "used": f"{big.used / 2**20:,.1f}",
               "cap": f"{big.cap / 2**20:,.0f}"}
        st.error(t("load.too_big", file=ui.md(big.file), **mib) if big.file else t("load.full", **mib))
    else:
        with st.status(t("load.running"), expanded=False) as status:
            done = uploads.ingest(folder, source=source, as_of=as_of, strict=strict, baseline=baseline)
            st.session_state["load_data_run"] = done
            refused = not done.results or any(r["status"] == "rejected" for r in done.results)
            status.update(label=t("load.finished", files=len(done.results)), state="error" if refused else "complete")

run = st.session_state.get("load_data_run")
if run is not None:
    st.subheader(t("load.report"))
    st.caption(t("load.saved_in", folder=ui.md(Path(run.folder).name)))  # the upload's folder, never a server path
    report = pd.DataFrame(run.results, columns=["file", "source", "status", "rows_read", "rows_loaded",
                                                "rows_quarantined", "message"])
    report.insert(0, "uploaded_as", report["file"].map(uploads.original_name))  # which upload each stored file is
    rejected = int((report["status"] == "rejected").sum())
    if report.empty:
        st.error(t("load.error", code=run.returncode))
    elif rejected:
        st.error(t("load.failed", rejected=rejected, files=len(report)))
    elif (report["status"] == "unchanged").all():
        st.info(t("load.unchanged", files=len(report)))
    else:
        loaded = int(report["status"].isin(["loaded", "loaded_with_quarantine"]).sum())
        st.success(t("load.ok", loaded=loaded, files=len(report), version=db.data_version()))
    ui.table(report, key="load_data_report", file_stem="gate_report", wrap=True)
    for result in run.results:
        if result.get("checks"):
            with st.expander(f"{t('load.checks')}: {ui.md(result['file'])} ({result.get('source') or '?'})"):
                ui.table(pd.DataFrame(result["checks"]), key=f"load_data_checks_{result['file']}_{result['source']}",
                         file_stem=f"checks_{result['file']}")
    with st.expander(t("load.output"), expanded=report.empty):
        st.code(run.output or "—", language=None)
