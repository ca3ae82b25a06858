"""Writing the pack to a file (`pmo report`, and the background process the overview's pack button starts): the
month's content laid out in the format the file's suffix names. The dashboard server itself never imports this
module, nor the renderers it needs."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from dashboard import db
from dashboard.i18n import LANG_KEY
from dashboard.pack.content import Pack, build_pack
from dashboard.pack.download import FORMATS
from dashboard.pack.render import RenderError, to_html, to_pdf, to_pptx


class PackError(ValueError):
    """The pack cannot be written (no data for the month, an unknown format, a missing renderer)."""


def write_pack(month: str, out: Path, *, lang: str = "en") -> str:
    """Write the month's pack to `out` (the suffix chooses the format); return a one-line summary."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise PackError(f"--month {month!r}: expected YYYY-MM, e.g. 2026-10")
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise PackError(f"{out.name}: the suffix chooses the format, one of {', '.join(FORMATS)}")
    previous = st.session_state.get(LANG_KEY)
    st.session_state[LANG_KEY] = lang  # the text of every metric, table header and chart in the pack's language
    try:
        pack = _written(month, out, suffix, lang)
    finally:  # outside a browser session this state is the process's: leave it as it was
        if previous is None:
            del st.session_state[LANG_KEY]
        else:
            st.session_state[LANG_KEY] = previous
    return summary(pack)


def _written(month: str, out: Path, suffix: str, lang: str) -> Pack:
    try:
        if db.data_version() is None or month not in db.run("filters_periods")["period"].tolist():
            raise PackError(f"{month} has no figures in the warehouse")
        pack = build_pack(month, lang)
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".html":
            out.write_text(to_html(pack), encoding="utf-8")
        elif suffix == ".pdf":
            to_pdf(pack, out)
        else:
            to_pptx(pack, out)
    except RenderError as err:
        raise PackError(str(err)) from err
    return pack


def summary(pack: Pack) -> str:
    state = f"as presented (frozen {pack.frozen_at:%Y-%m-%d %H:%M})" if pack.frozen_at else "live figures (not frozen)"
    return f"{pack.title}, {state}, {len(pack.sections)} sections"
