"""The sidebar's language switch, global filters and month selector, kept in the URL so a copied link reopens
the same view: `?lang=zh&portfolio=A&portfolio=B&rag=red&period=2026-09`.

A widget starts from the URL on the session's first run and writes its value back on every run (a default
is left out of the URL). A link without `period` means "the latest month"; picking a month pins it, so a
review's link stays frozen when newer data arrives.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import streamlit as st

from dashboard import db
from dashboard.i18n import LANG_KEY, LANGUAGES, t
from dashboard.ui import month_label

LATEST = "latest"
RAGS = ("green", "amber", "red", "grey")
# Which projects the pages count: the active portfolio (default) or every project, closed, cancelled and on hold
# included (`?scope=all`). Closure & lessons and the project picker always see every project.
SCOPES = ("active", "all")
# A frozen month is shown as presented at its review unless `?view=restated`.
VIEWS = ("presented", "restated")
# Filter widget key (= URL parameter) -> dim_project column; the order is the sidebar's.
DIMENSIONS = {"portfolio": "portfolio", "programme": "programme", "department": "department",
              "manager": "manager", "stage": "lifecycle_stage"}


@dataclass(frozen=True)
class Filters:
    portfolios: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    rags: tuple[str, ...] = ()
    period: str = ""  # 'YYYY-MM'
    scope: str = "active"  # one of SCOPES
    restated: bool = False  # a frozen month: the live (restated) figures instead of those presented

    def params(self) -> dict[str, Any]:
        """The SQL parameters every query may use (empty list = no restriction)."""
        return {"portfolios": list(self.portfolios), "programmes": list(self.programmes),
                "departments": list(self.departments), "managers": list(self.managers),
                "stages": list(self.stages), "rags": list(self.rags), "active_only": self.scope == "active",
                "by_project": bool(self.portfolios or self.programmes or self.managers or self.stages or self.rags),
                "period": self.period, "month_end": month_end(self.period) if self.period else None}

    def about(self) -> list[tuple[str, str]]:
        """(label, value) lines naming the month, the view and each filter set, in the reader's language: what
        a download says it holds."""
        month = month_label(self.period)
        if self.period and db.frozen(self.period):
            month += f" · {t('frozen.view.' + VIEWS[self.restated])}"
        lines = [(t("filter.period"), month), (t("filter.scope"), t(f"filter.scope.{self.scope}"))]
        chosen = {"portfolio": self.portfolios, "programme": self.programmes, "department": self.departments,
                  "manager": self.managers, "stage": self.stages}
        lines += [(t(f"filter.{key}"), ", ".join(values)) for key, values in chosen.items() if values]
        if self.rags:
            lines.append((t("filter.rag"), ", ".join(t(f"rag.{rag}") for rag in self.rags)))
        return lines

    def every_project(self) -> Filters:
        """The same filters over every project, closed, cancelled and on hold included."""
        return replace(self, scope="all")


def month_end(period: str) -> date:
    """'2026-02' -> 2026-02-28."""
    year, month = map(int, period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def previous_period(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def periods() -> list[str]:
    """Months with figures, newest first (through the warehouse's report month)."""
    if not {"mart_evm", "dim_report_date"} <= db.tables().keys():
        return []
    return db.run("filters_periods")["period"].tolist()


def current() -> Filters:
    """The filters chosen in the sidebar (all projects and the latest month when none)."""
    state = st.session_state
    months = periods()
    chosen = state.get("period", LATEST)
    period = chosen if chosen in months else (months[0] if months else "")
    picked = {key: tuple(state.get(key) or ()) for key in (*DIMENSIONS, "rag")}
    scope = state.get("scope", SCOPES[0])
    return Filters(portfolios=picked["portfolio"], programmes=picked["programme"], departments=picked["department"],
                   managers=picked["manager"], stages=picked["stage"], rags=picked["rag"], period=period,
                   scope=scope if scope in SCOPES else SCOPES[0], restated=state.get("view") == VIEWS[1])


def sidebar() -> None:
    """Render the language switch and, once data is loaded, the filters; keep them all in the URL.
    Option labels are computed here, in the chosen language, not inside format_func calls made later."""
    bar = st.sidebar
    from_url(LANG_KEY, list(LANGUAGES), "en")
    bar.segmented_control(t("filter.language"), list(LANGUAGES), format_func=LANGUAGES.__getitem__, required=True,
                          key=LANG_KEY, label_visibility="collapsed")
    to_url(LANG_KEY, "en")
    months = periods()
    if not months:
        return
    bar.subheader(t("filter.heading"))
    from_url("period", [LATEST, *months], LATEST)
    frozen = db.frozen_months()
    labels = {LATEST: t("filter.latest", month=month_label(months[0]))} | {
        m: t("filter.frozen_month", month=month_label(m)) if m in frozen else month_label(m) for m in months}
    bar.selectbox(t("filter.period"), list(labels), key="period", format_func=labels.__getitem__)
    to_url("period", LATEST)
    from_url("scope", list(SCOPES), SCOPES[0])
    scopes = {scope: t(f"filter.scope.{scope}") for scope in SCOPES}
    bar.segmented_control(t("filter.scope"), list(scopes), key="scope", format_func=scopes.__getitem__, required=True,
                          help=t("filter.scope_help"))
    to_url("scope", SCOPES[0])
    options = db.run("filters_options").groupby("dimension")["value"].agg(list).to_dict()
    for key, column in DIMENSIONS.items():
        from_url(key, options.get(column, []), [])
        bar.multiselect(t(f"filter.{key}"), options.get(column, []), key=key, placeholder=t("filter.all"))
        to_url(key, [])
    from_url("rag", list(RAGS), [])
    rags = {rag: t(f"rag.{rag}") for rag in RAGS}
    bar.multiselect(t("filter.rag"), list(rags), key="rag", placeholder=t("filter.all"), format_func=rags.__getitem__)
    to_url("rag", [])
    bar.caption(t("filter.share"))


def frozen_banner() -> None:
    """Above every page of a frozen month: when it was frozen, how many figures were restated since, and the
    switch between the month as presented and the restated (live) figures."""
    f = current()
    presented = db.frozen(f.period) if f.period else None
    if presented is None:
        return
    from_url("view", list(VIEWS), VIEWS[0])
    restated = len(db.restatements(f.period))
    with st.container(border=True):
        text, switch = st.columns([4, 1])
        text.markdown(t("frozen.banner", month=month_label(f.period), at=f"{presented.frozen_at:%Y-%m-%d %H:%M}",
                        version=presented.version, n=restated))
        views = {view: t(f"frozen.view.{view}") for view in VIEWS}
        switch.segmented_control(t("frozen.view"), list(views), key="view", format_func=views.__getitem__,
                                 required=True, label_visibility="collapsed")
    to_url("view", VIEWS[0])


def from_url(key: str, options: list, default: str | list | None, *, param: str | None = None) -> None:
    """Set a widget's state before it renders: the URL's `param` (default: the key) when the widget has no state
    yet, afterwards what the user chose; values that are not (or no longer) among the options are dropped."""
    state, param = st.session_state, param or key
    if isinstance(default, list):
        chosen = state[key] if key in state else st.query_params.get_all(param)
        state[key] = [value for value in chosen if value in options]
    else:
        chosen = state[key] if key in state else st.query_params.get(param, default)
        state[key] = chosen if chosen in options else default


def to_url(key: str, default: str | list | None, *, param: str | None = None) -> None:
    """Write a widget's value into the URL's `param` (default: the key); a default value is left out."""
    value, param = st.session_state.get(key), param or key
    if value and value != default:
        st.query_params[param] = value
    elif param in st.query_params:
        del st.query_params[param]
