"""Portfolio overview: headline tiles, per-project figures, who needs attention and what changed since last month."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard import db
from dashboard.filters import Filters, month_end
from dashboard.i18n import code_label, reasons, t
from dashboard.metrics import comparison_params, portfolio_total, previous
from dashboard.ui import (
    Tile,
    change,
    fmt_dates,
    fmt_int,
    fmt_money,
    fmt_pct,
    fmt_ratio,
    is_known,
    month_label,
    one_currency,
    rag_text,
)

ATTENTION_ROWS = 10
RAG_ORDER = {"red": 0, "grey": 1, "amber": 2, "green": 3}  # most urgent first; unknown is never good news
CHANGE_COLUMNS = ["kind", "project_id", "project_name", "what", "before", "after", "cause"]


def projects(f: Filters) -> pd.DataFrame:
    """One row per filtered project at the month (see queries/overview_projects.sql)."""
    return db.run("overview_projects", f)


def utilisation(f: Filters) -> float | None:
    """Hours logged / capacity over the ISO weeks starting in the month, of the people the filters select."""
    end = month_end(f.period)
    weeks = db.run("utilisation_rollup", f, level="total", week_from=end.replace(day=1), week_to=end)
    capacity = weeks["capacity_hours"].sum()
    return float(weeks["hours_logged"].sum() / capacity) if capacity else None


def headline(f: Filters) -> tuple[dict[str, Tile], dict[str, int]]:
    """The month's KPI tiles (active, risks, utilisation, cpi, spi_t, spi, eac) with deltas against the month
    before, and the number of active projects per computed RAG."""
    now, before = projects(f), projects(previous(f))
    active, active_before = now[now["is_active"]], before[before["is_active"]]
    versus = t("ov.vs_month", month=month_label(previous(f).period))
    roll, roll_before = portfolio_total(f), portfolio_total(previous(f))
    coverage = t("ov.coverage", measured=fmt_int(roll.get("projects_measured")), projects=fmt_int(roll.get("projects")),
                 share=fmt_pct(roll.get("measured_bac_share")))
    used, used_before = utilisation(f), utilisation(previous(f))
    risks, risks_before = int(now["open_escalated"].sum()), int(before["open_escalated"].sum())
    eac, bac = roll.get("eac"), roll.get("bac")
    currency, mixed = one_currency(roll.get("currencies"))
    tiles = {
        "active": Tile(t("ov.active"), fmt_int(len(active)), change(len(active), len(active_before), "{:+d}"),
                       t("ov.active_help"), delta_color="off", delta_description=versus),
        "risks": Tile(t("ov.open_risks"), fmt_int(risks), change(risks, risks_before, "{:+d}"),
                      t("ov.open_risks_help"), delta_color="inverse", delta_description=versus),
        "utilisation": Tile(t("ov.utilisation"), fmt_pct(used), change(used, used_before, "{:+.1%}", points=True),
                            t("ov.utilisation_help"), None if used is not None else t("ov.unknown.no_time"), "off",
                            versus),
        **{key: _index_tile(key, roll, roll_before, coverage, versus, mixed) for key in ("cpi", "spi_t", "spi")},
        "eac": Tile(t("ov.eac_bac"), fmt_money(eac, currency),
                    f"{eac / bac - 1:+.1%}" if is_known(eac) and bac else None,
                    f"{t('ov.eac_bac_help')} {coverage}", mixed or (None if is_known(eac) else t("ov.unknown.no_ac")),
                    "inverse", t("ov.vs_bac", bac=fmt_money(bac, currency))),
    }
    return tiles, active["computed_rag"].value_counts().to_dict()


def _index_tile(key: str, roll: dict, roll_before: dict, coverage: str, versus: str, mixed: str | None) -> Tile:
    """A portfolio index; unknown when nothing is measured, or when its sums would add different currencies."""
    value = roll.get(key)
    reason = None if is_known(value) else t("ov.unknown.no_ac" if key == "cpi" else "ov.unknown.no_pv")
    if not roll.get("projects_measured"):
        reason = t("ov.unknown.no_evm")
    reason = mixed or reason
    return Tile(t(f"ov.{key}"), fmt_ratio(value), change(value, roll_before.get(key), "{:+.2f}"),
                f"{t('ov.index_help')} {coverage}", reason, delta_description=versus)



# --- attention -----------------------------------------------------------------------------------

def attention(f: Filters) -> pd.DataFrame:
    """The active projects most in need of attention, in the caption's order: computed RAG red, then unknown,
    then amber, then green but declared otherwise; within each the lowest health score first (unknown first).
    The reason, in words next to the name, starts with the index that set the computed RAG."""
    df = projects(f)
    df = df[df["is_active"] & ((df["computed_rag"] != "green") | df["rag_disagrees"].eq(True))].copy()
    df["_order"] = df["computed_rag"].map(RAG_ORDER)
    df = df.sort_values(["_order", "health_score", "project_id"], na_position="first").head(ATTENTION_ROWS)
    return pd.DataFrame({
        "project_id": df["project_id"],
        "project_name": df["project_name"],
        "reason": [reason(row) for row in df.to_dict("records")],
        "computed_rag": df["computed_rag"],
        "declared_rag": df["declared_rag"],
        "health_score": df["health_score"],
    })


INDICES = (("spi_t", "SPI(t)"), ("cpi", "CPI"), ("spi", "SPI"))
SEVERITY = {"red": 2, "amber": 1}


def reason(row: dict) -> str:
    """Why a project needs attention, what set its computed RAG first: why it is unknown, else the indices
    outside green, worst band first (e.g. "SPI 1.06 amber"); then weak drivers and a declared RAG that
    disagrees."""
    banded = sorted(((SEVERITY[row[f"{key}_rag"]], label, key) for key, label in INDICES
                     if row[f"{key}_rag"] in SEVERITY), key=lambda b: -b[0])
    parts = [reasons(row["grey_reason"])] if row["computed_rag"] == "grey" and is_known(row["grey_reason"]) else []
    parts += [t("reason.index", index=label, value=fmt_ratio(row[key]), rag=t(f"rag.{row[f'{key}_rag']}").lower())
              for _, label, key in banded]
    if is_known(row["risk_score"]) and row["risk_score"] < 50:
        parts.append(t("reason.exposure", value=fmt_int(row["exposure"])))
    if is_known(row["quality_score"]) and row["quality_score"] < 50:
        parts.append(t("reason.quality", value=fmt_pct(row["pass_rate"])))
    if row["rag_disagrees"] is True:
        parts.append(t("reason.declared", rag=t(f"rag.{row['declared_rag']}").lower()))
    if not parts:
        parts.append(t("reason.health", value=fmt_int(row["health_score"])) if is_known(row["health_score"])
                     else reasons(row["health_grey_reason"]) or t("ui.na"))
    return "; ".join(parts)


def grey_reasons(grey: pd.DataFrame) -> pd.DataFrame:
    """The projects whose computed RAG is unknown, each with why, in the reader's language."""
    return grey[["project_id", "project_name"]].assign(grey_reason=grey["grey_reason"].map(reasons))


def health_rule(f: Filters) -> str:
    """The one line that explains why a project's health RAG can be worse than its score: this month's count."""
    df = projects(f)
    return t("ov.health_rule", capped=fmt_int(int((df["is_active"] & df["health_capped"]).sum())))


# --- what changed --------------------------------------------------------------------------------

@db.per_snapshot
def changes(f: Filters) -> pd.DataFrame:
    """Everything that moved between the previous month and this one, one row per change."""
    params = comparison_params(f)
    frames = [
        _rag_moves(db.run("overview_rag_moves", f, **params)),
        _risk_moves(db.run("overview_risk_moves", f, **params)),
        _milestone_moves(db.run("overview_milestone_moves", f, **params)),
        _eac_moves(db.run("overview_eac_moves", f, **params)),
        _new_failures(db.run("overview_new_failures", f)),
    ]
    return pd.concat([x for x in frames if len(x)] or [pd.DataFrame(columns=CHANGE_COLUMNS)], ignore_index=True)


def _frame(kind: str, df: pd.DataFrame, what: pd.Series | str, before: pd.Series | str, after: pd.Series,
           cause: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"kind": t(f"ov.change.{kind}"), "project_id": df["project_id"],
                         "project_name": df["project_name"], "what": what, "before": before, "after": after,
                         "cause": cause}, columns=CHANGE_COLUMNS)


def _text(values: pd.Series, render=str) -> pd.Series:
    """Each known value rendered as text, missing ones as "—" (tens of thousands of rows, rendered once per distinct
    value: a band's word looks up the reader's language)."""
    rendered: dict[Any, str] = {}

    def shown(value: Any) -> str:
        if value not in rendered:
            rendered[value] = render(value)
        return rendered[value]

    return pd.Series([shown(v) if is_known(v) else "—" for v in values], index=values.index, dtype="str")


def ratio_move(label: str, before: pd.Series, after: pd.Series) -> pd.Series:
    """"SPI 0.97 → 0.93"; with 3 decimals where 2 would read the same ("SPI 0.951 → 0.949" crossed a band)."""
    short_before, short_after = _text(before, fmt_ratio), _text(after, fmt_ratio)
    same = (short_before == short_after) & before.notna() & after.notna()
    long_before, long_after = _text(before, "{:.3f}".format), _text(after, "{:.3f}".format)
    return (f"{label} " + short_before.where(~same, long_before) + " → " + short_after.where(~same, long_after))


def _rag_moves(df: pd.DataFrame) -> pd.DataFrame:
    words = {rag: rag_text(rag) for rag in ("green", "amber", "red", "grey")}
    parts = [ratio_move(label, df[f"{key}_before"], df[f"{key}_after"])
             .where(df[f"{key}_rag_before"].fillna("") != df[f"{key}_rag_after"].fillna(""), "")
             for key, label in (("spi_t", "SPI(t)"), ("cpi", "CPI"), ("spi", "SPI"))]
    reason = df["grey_reason_after"]
    parts.append(reason.where(reason.notna() & (reason != df["grey_reason_before"].fillna("")), "").fillna("")
                 .map(reasons))
    cause = (pd.concat(parts, axis=1).apply(lambda row: "; ".join(p for p in row if p), axis=1) if len(df)
             else pd.Series("", index=df.index, dtype="str"))
    first = df["rag_before"].isna() & (cause == "")
    return _frame("rag", df, t("col.computed_rag"), df["rag_before"].map(words).fillna("—"),
                  df["rag_after"].map(words), cause.where(~first, t("ov.cause.first_month")))


def _risk_moves(df: pd.DataFrame) -> pd.DataFrame:
    def state(when: str) -> pd.Series:
        band = _text(df[f"band_{when}"], lambda b: code_label("band", b))
        status = _text(df[f"status_{when}"], lambda s: code_label("status", s))
        return (band + " (" + _text(df[f"score_{when}"], fmt_int) + "), " + status).where(
            df[f"score_{when}"].notna(), "—")

    meaning = {change: t(f"ov.risk.{change}") for change in df["change"].unique()}
    return _frame("risks", df, df["risk_id"] + " · " + df["title"].fillna(""), state("before"), state("after"),
                  df["change"].map(meaning))


def _milestone_moves(df: pd.DataFrame) -> pd.DataFrame:
    late, forecast = t("ov.slip_days", days="{}"), t("ov.cause.forecast", before="{}", after="{}", baseline="{}")
    dates = zip(fmt_dates(df["forecast_before"]), fmt_dates(df["forecast_after"]), fmt_dates(df["baseline_date"]),
                strict=True)
    return _frame("milestones", df, df["milestone_id"] + " · " + df["milestone_name"].fillna(""),
                  _text(df["slip_before"], lambda d: late.format(fmt_int(d))),
                  _text(df["slip_after"], lambda d: late.format(fmt_int(d))),
                  pd.Series([forecast.format(*d) for d in dates], index=df.index, dtype="str"))


def _eac_moves(df: pd.DataFrame) -> pd.DataFrame:
    return _frame("eac", df, t("ov.eac"), _amounts(df["eac_before"], df["currency"]),
                  _amounts(df["eac_after"], df["currency"]),
                  "CPI " + _text(df["cpi_before"], fmt_ratio) + " → " + _text(df["cpi_after"], fmt_ratio))


def _amounts(values: pd.Series, currencies: pd.Series) -> pd.Series:
    """Each known amount with its project's currency ("€2.5 M"), missing ones as "—"."""
    return pd.Series([fmt_money(v, c if is_known(c) else None) if is_known(v) else "—"
                      for v, c in zip(values, currencies, strict=True)], index=values.index, dtype="str")


def _new_failures(df: pd.DataFrame) -> pd.DataFrame:
    issue = {kind: t(f"ov.issue.{kind}", rows="{}") for kind in df["issue"].unique()}
    touches = t("ov.cause.file", file="{}", kpis="{}")
    return _frame("checks", df, df["source"] + ": " + df["rules"].fillna(t("ov.cause.rejected")), "—",
                  pd.Series([issue[i].format(fmt_int(n)) for i, n in zip(df["issue"], df["rows_affected"],
                                                                         strict=True)], index=df.index, dtype="str"),
                  pd.Series([touches.format(f, k) for f, k in zip(df["file_name"], df["kpis"], strict=True)],
                            index=df.index, dtype="str"))
