"""What the monthly review pack holds, as data: sections of text, KPI tiles, tables and the dashboard's own Plotly
figures. Built from the same metrics as the pages, with the month's filters: a frozen month reads its frozen file
(as presented), an unfrozen one the live snapshot. The renderers (html, pdf, pptx) only lay these out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from contract import settings
from dashboard import db
from dashboard.charts.common import finish
from dashboard.charts.evm import s_curve
from dashboard.charts.risks import risk_matrix
from dashboard.charts.schedule import slip_trend
from dashboard.filters import Filters
from dashboard.i18n import t
from dashboard.metrics import changes as change_metrics
from dashboard.metrics import overview, previous, project, resources, risks, schedule
from dashboard.tables import labelled
from dashboard.ui import Tile, fmt_int, fmt_pct, fmt_ratio, month_label, rag_text

RAG_RANK = {"green": 1, "amber": 2, "red": 3}
TOP_ROWS = 25  # rows of a long table in the pack; the rest are counted ("and N more")
APPENDIX_ROWS = 100  # rows of an appendix table (further exceptions, grey projects)


@dataclass
class Block:
    kind: str  # text | tiles | table | figure
    value: Any
    caption: str = ""


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def text(self, value: str) -> Section:
        self.blocks.append(Block("text", value))
        return self

    def tiles(self, value: list[Tile]) -> Section:
        self.blocks.append(Block("tiles", value))
        return self

    def table(self, df: pd.DataFrame, caption: str = "", top: int = TOP_ROWS) -> Section:
        more = len(df) - top
        note = t("pack.more_rows", n=fmt_int(more)) if more > 0 else ""
        self.blocks.append(Block("table", labelled(df.head(top)), " ".join(x for x in (caption, note) if x)))
        return self

    def figure(self, fig: go.Figure, lang: str) -> Section:
        self.blocks.append(Block("figure", finish(fig, lang)))
        return self


@dataclass
class Pack:
    month: str
    lang: str
    title: str
    frozen_at: datetime | None
    sections: list[Section]


def build_pack(month: str, lang: str) -> Pack:
    """Every section of the month's pack (SPEC: cover, health, what changed, exceptions, risks and resources,
    data quality, definitions; and for a frozen month what has been restated since)."""
    f = Filters(period=month)
    presented = db.frozen(month)
    now, before = overview.projects(f), overview.projects(previous(f))
    exceptions = _exceptions(now, before)
    cap = int(settings.config()["report"]["exception_pages"])
    sections = [_cover(f, now, presented), _health(f, exceptions), _changed(f),
                *(_exception(f, row, lang) for row in exceptions.head(cap).to_dict("records"))]
    if len(exceptions) > cap:
        sections.append(Section(t("pack.more_exceptions")).table(exceptions.iloc[cap:][
            ["project_id", "project_name", "computed_rag", "reason"]], top=APPENDIX_ROWS))
    sections += [_risks_resources_changes(f, lang), _data_quality(f, now), _definitions(f)]
    if presented is not None:
        sections.append(_restated(month))
    return Pack(month, lang, t("pack.title", month=month_label(month)),
                presented.frozen_at if presented else None, sections)


def _exceptions(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Active projects red, or amber and worse than last month: the decisions the meeting must take."""
    was = before.set_index("project_id")["computed_rag"]
    df = now[now["is_active"]].copy()
    df["was"] = df["project_id"].map(was)
    worse = df["computed_rag"].map(RAG_RANK).fillna(0) > df["was"].map(RAG_RANK).fillna(9)
    df = df[(df["computed_rag"] == "red") | ((df["computed_rag"] == "amber") & worse)].copy()
    df["reason"] = [overview.reason(row) for row in df.to_dict("records")]
    df["_order"] = df["computed_rag"].map({"red": 0, "amber": 1})
    return df.sort_values(["_order", "health_score", "project_id"], na_position="first").reset_index(drop=True)


def _cover(f: Filters, now: pd.DataFrame, presented: db.Frozen | None) -> Section:
    portfolios = ", ".join(sorted(now["portfolio"].dropna().unique())) or t("ui.na")
    state = (t("pack.frozen", at=f"{presented.frozen_at:%Y-%m-%d %H:%M}", version=presented.version)
             if presented else t("pack.not_frozen", at=f"{datetime.now():%Y-%m-%d %H:%M}"))
    sources = db.run("review_sources", f)
    return (Section(t("pack.cover"))
            .text(t("pack.cover_lines", month=month_label(f.period), portfolios=portfolios, state=state,
                    filters=t("pack.filters_all")))
            .table(sources, t("pack.sources_caption")))


def _health(f: Filters, exceptions: pd.DataFrame) -> Section:
    tiles, rags = overview.headline(f)
    teams, teams_before = (_over_allocated_teams(g) for g in (f, previous(f)))
    over = Tile(t("pack.over_teams"), fmt_int(teams), f"{teams - teams_before:+d}", delta_color="inverse",
                delta_description=t("ov.vs_month", month=month_label(previous(f).period)))
    counts = ", ".join(f"{rag_text(r)} {fmt_int(rags.get(r, 0))}" for r in ("red", "amber", "green", "grey"))
    decisions = exceptions[["project_id", "project_name", "computed_rag", "reason"]].assign(
        computed_rag=exceptions["computed_rag"].map(rag_text))
    return (Section(t("pack.health"))
            .text(t("pack.rag_counts", counts=counts))
            .tiles([tiles[k] for k in ("cpi", "spi", "spi_t", "eac", "risks", "active")] + [over])
            .text(overview.health_rule(f))
            .table(decisions, t("pack.decisions_caption")))


def _over_allocated_teams(f: Filters) -> int:
    over, _under = resources.thresholds()
    teams = resources.team_month(resources.people_month(f))
    return int((teams["utilisation"] > over).sum())


def _changed(f: Filters) -> Section:
    changed = overview.changes(f)
    return Section(t("pack.changed", previous=month_label(previous(f).period))).table(
        changed, t("pack.changed_caption", n=fmt_int(len(changed))))


def _exception(f: Filters, row: dict, lang: str) -> Section:
    pid = row["project_id"]
    summary = project.summary(f, pid)
    section = (Section(f"{pid} · {row['project_name']} — {rag_text(row['computed_rag'])}")
               .text(t("pack.why", reason=row["reason"]))
               .tiles(project.tiles(summary))
               .table(project.drivers(summary)))
    curve = project.evm(f, pid)
    if project.has_curve(curve):
        section.figure(s_curve(curve, currency=summary.get("currency") or "", bac=summary.get("bac"), tr=t), lang)
    trend = schedule.slip_trend_milestones(f, [pid])
    if len(trend):
        section.figure(slip_trend(trend, tr=t), lang)
    section.table(project.section("risks", f, pid)[["risk_id", "title", "score", "band", "status", "owner"]]
                  , t("pack.top_risks"), top=5)
    commentary = project.section("commentary", f, pid)
    if len(commentary):
        latest = commentary.iloc[0]
        section.text(t("pack.commentary", date=f"{latest['report_date']:%Y-%m-%d}",
                       rag=rag_text(latest["overall_rag"]), text=str(latest["summary"] or "")))
    items = project.section("issues", f, pid)
    return section.table(items[items["closed_date"].isna()][["item_id", "kind", "title", "owner", "due_date"]]
                         , t("pack.open_actions"), top=8)


def _risks_resources_changes(f: Filters, lang: str) -> Section:
    people = resources.people_month(f)
    teams = resources.team_month(people).sort_values("utilisation", ascending=False)
    pending = change_metrics.log(f)
    pending = pending[pending["decision"] == "pending"].sort_values("pending_days", ascending=False)
    return (Section(t("pack.risks_resources"))
            .figure(risk_matrix(risks.matrix(f), bands=risks.bands(), tr=t), lang)
            .table(teams[["team", "people", "hours_logged", "capacity_hours", "utilisation"]]
                   .assign(utilisation=teams["utilisation"].map(fmt_pct))
                   , t("pack.hot_spots"), top=10)
            .table(pending[["change_id", "project_id", "title", "cost_impact", "schedule_impact_days",
                            "pending_days"]], t("pack.pending_crs")))


def _data_quality(f: Filters, now: pd.DataFrame) -> Section:
    grey = now[now["is_active"] & (now["computed_rag"] == "grey")][["project_id", "project_name", "grey_reason"]]
    return (Section(t("pack.data_quality"))
            .table(grey, t("pack.grey_caption"), top=APPENDIX_ROWS)
            .table(db.run("review_quarantine", f),
                   t("pack.quarantine_caption")))


def _definitions(f: Filters) -> Section:
    """From the month's cfg_* tables: the bands and weights the figures were built with."""
    cfg = db.run("analysis_settings", f)
    value = dict(zip(cfg["key"], cfg["num"], strict=True))
    bands = db.run("review_definitions", f)
    return (Section(t("pack.definitions"))
            .text(t("pack.def_indices", g_lo=fmt_ratio(value["evm.green_low"]), g_hi=fmt_ratio(value["evm.green_high"]),
                    a_lo=fmt_ratio(value["evm.amber_low"]), a_hi=fmt_ratio(value["evm.amber_high"]),
                    decimals=int(value["evm.index_decimals"])))
            .text(t("pack.def_evm"))
            .table(bands, t("pack.def_health"), top=len(bands)))


def _restated(month: str) -> Section:
    restated = db.restatements(month)
    names = {"bac": "BAC", "pv": "PV", "ev": "EV", "ac": "AC", "eac": "EAC", "cpi": "CPI", "spi": "SPI",
             "spi_t": "SPI(t)"}
    restated["metric"] = [names.get(m) or t(f"col.{m}") for m in restated["metric"]]
    return Section(t("pack.restated")).table(restated,
                                             t("pack.restated_caption", n=fmt_int(len(restated))), top=200)
