"""The review pack from the browser: `pmo report` in a background process per request (the server keeps serving
everyone else), polled by a fragment that shows how long it has run and offers the file once it is written."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from contract import settings
from dashboard import auth
from dashboard.filters import Filters
from dashboard.i18n import language, t

FORMATS = {  # the formats a pack is written in (its file's suffix), with their MIME types
    ".pdf": "application/pdf", ".html": "text/html",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
JOB_KEY = "overview_pack_job"


@dataclass
class PackJob:
    month: str
    out: Path
    process: subprocess.Popen
    started: float

    @property
    def running(self) -> bool:
        return self.process.poll() is None


def start(month: str, suffix: str, lang: str) -> PackJob:
    """`pmo report` for the month into a private temp folder, in its own process."""
    out = Path(tempfile.mkdtemp(prefix="pmo-pack-")) / f"review_{month}{suffix}"
    command = [sys.executable, "-m", "pipelines.cli", "--db", str(settings.db_path()), "report", "--month", month,
               "--out", str(out), "--lang", lang,
               *(f"--portfolio={p}" for p in auth.portfolios())]  # the pack holds what its reader may see
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return PackJob(month, out, process, time.monotonic())


def offer(f: Filters) -> None:
    """The overview's "review pack" row: pick a format, prepare it in the background, download it when ready."""
    job: PackJob | None = st.session_state.get(JOB_KEY)

    @st.fragment(run_every=1 if job is not None and job.running else None)
    def panel() -> None:
        current: PackJob | None = st.session_state.get(JOB_KEY)
        row = st.container(horizontal=True, vertical_alignment="center")
        suffix = row.segmented_control(t("pack.format"), list(FORMATS), default=".pdf", required=True,
                                       key="overview_pack_format", format_func=lambda s: s[1:].upper())
        if current is not None and current.running:
            row.caption(t("pack.preparing", seconds=int(time.monotonic() - current.started)))
        elif current is not None and current.out.exists() and current.out.suffix == suffix:
            row.download_button(t("pack.download", month=current.month), current.out.read_bytes(),
                                current.out.name, FORMATS[suffix], key="overview_pack_download",
                                icon=":material/download:", on_click="ignore")
        if row.button(t("pack.prepare"), key="overview_pack_prepare", icon=":material/description:",
                      disabled=current is not None and current.running):
            st.session_state[JOB_KEY] = start(f.period, suffix, language())
            st.rerun()
        if current is not None and not current.running and not current.out.exists():
            st.error(t("pack.failed"))

    panel()
