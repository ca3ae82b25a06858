"""The dashboard's one chokepoint to data: named SQL files, always-bound parameters, a versioned cache.

The dashboard never opens the warehouse. On a cache miss it runs one query on a cursor of the newest *published
snapshot*, opened read-only (and kept: a snapshot never changes), so `pmo ingest` in another process is never
blocked and the next data_version() (part of every cache key) brings the new numbers without a restart.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import streamlit as st

from contract import layout, settings
from dashboard import auth
from dashboard.i18n import language

if TYPE_CHECKING:
    from dashboard.filters import Filters

QUERIES = Path(__file__).resolve().parent / "queries"
# Shared CTEs: a query naming one gets it prefixed from queries/_<name>.sql (in this order: later ones may use earlier).
COMMON_CTES = ("closed_projects", "filtered_projects", "project_group", "booked_people")
_PARAM = re.compile(r"\$([A-Za-z_]\w*)")
# A query file opening (after its comments) with WITH gets the common CTE as its first CTE.
_LEADING_WITH = re.compile(r"\A(?:\s*(?:--[^\n]*(?:\n|\Z)|/\*.*?\*/))*\s*WITH\b", re.IGNORECASE | re.DOTALL)


class NoData(RuntimeError):
    """Nothing is published yet; pages call ui.require_data() first to show the "load data first" state."""


def data_version() -> int | None:
    """The version of the current published snapshot, None before the first load."""
    snapshot = layout.current_snapshot(settings.db_path())
    return snapshot[0] if snapshot else None


@functools.cache  # read once per server process: a page runs a dozen queries, every session
def sql_text(name: str) -> str:
    """dashboard/queries/<name>.sql, with the shared CTEs it refers to (queries/_<cte>.sql) prefixed."""
    if not re.fullmatch(r"\w+", name):
        raise ValueError(f"not a query name: {name!r}")
    sql = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    used: dict[str, str] = {}  # a shared CTE may use earlier ones: look for those in its text too
    for cte in reversed(COMMON_CTES):
        if re.search(rf"\b{cte}\b", sql + "".join(used.values())):
            used[cte] = (QUERIES / f"_{cte}.sql").read_text(encoding="utf-8")
    if not used:
        return sql
    ctes = ", ".join(f"{cte} AS (\n{text}\n)" for cte, text in reversed(used.items()))
    if match := _LEADING_WITH.match(sql):
        return f"{sql[:match.end()]} {ctes},{sql[match.end():]}"
    return f"WITH {ctes}\n{sql}"


def run(name: str, filters: Filters | None = None, **params: Any) -> pd.DataFrame:
    """Run dashboard/queries/<name>.sql with the filters' and the given parameters bound.

    Only parameters the SQL refers to are bound, so passing every filter is always fine. A frozen month is read
    as presented (its frozen file) unless the filters ask for the restated view.
    """
    sql = sql_text(name)
    values = {**(filters.params() if filters else {}), **params}
    wanted = sorted(set(_PARAM.findall(sql)))
    if missing := [p for p in wanted if p not in values]:
        raise KeyError(f"query {name} needs parameter(s) {', '.join('$' + p for p in missing)}")
    bound = {p: values[p] for p in wanted}
    presented = frozen(filters.period) if filters and filters.period and not filters.restated else None
    if presented is not None:
        return _query(f"frozen:{presented.file.name}", str(presented.file), sql, bound, fence=auth.portfolios())
    return _on_snapshot(sql, bound)


def restatements(period: str) -> pd.DataFrame:
    """Every figure of a frozen month that differs now from what was presented (queries/review_restatements.sql),
    with the loads since the freeze that changed it. Empty when the month is not frozen."""
    presented = frozen(period)
    if presented is None:
        return pd.DataFrame(columns=["project_id", "metric", "as_presented", "now", "changed_by"])
    found = _on_snapshot(sql_text("review_restatements"), {"period": period, "frozen_at": presented.frozen_at},
                         attach=str(presented.file))
    if auth.portfolios():  # the attached frozen file is named in the SQL, past the fence's views: filter here
        found = found[found["project_id"].isin(_on_snapshot("SELECT project_id FROM dim_project", {})["project_id"])]
    return found


@dataclass(frozen=True)
class Frozen:
    """A frozen month as the published snapshot lists it (the dashboard never opens the warehouse, where
    pipelines.freeze keeps the full record)."""

    month: str
    version: int
    frozen_at: datetime
    file: Path


def frozen_months() -> dict[str, Frozen]:
    """'YYYY-MM' -> its current frozen version (from the snapshot's frozen_month), {} before any freeze."""
    version = data_version()
    return {} if version is None else dict(_frozen_months(str(settings.db_path()), version))


@functools.lru_cache(maxsize=16)  # once per warehouse and snapshot: every query of every page asks
def _frozen_months(db: str, version: int) -> dict[str, Frozen]:
    if "frozen_month" not in tables():
        return {}
    folder = layout.frozen_dir(Path(db))
    return {m: Frozen(m, int(v), at.to_pydatetime(), folder / name) for m, v, at, name in
            _on_snapshot("SELECT month, version, frozen_at, file_name FROM frozen_month WHERE is_current", {})
            .itertuples(index=False)}


def frozen(period: str) -> Frozen | None:
    """The month's current frozen version, when it is frozen and its file is there."""
    found = frozen_months().get(period)
    return found if found is not None and found.file.exists() else None


def _on_snapshot(sql: str, bound: dict[str, Any], attach: str | None = None) -> pd.DataFrame:
    for _attempt in range(2):  # a snapshot retired between pointer read and open: take the newer one
        snapshot = layout.current_snapshot(settings.db_path())
        if snapshot is None:
            raise NoData("no published snapshot yet")
        try:
            return _query(snapshot[0], str(snapshot[1]), sql, bound, attach, fence=auth.portfolios())
        except duckdb.IOException:
            if layout.current_snapshot(settings.db_path()) == snapshot:
                raise
    raise NoData("the published snapshot keeps changing; try again")


def per_snapshot(compute: Callable[[Filters], pd.DataFrame]) -> Callable[[Filters], pd.DataFrame]:
    """A page's frame computed from queries (`compute(filters)`), worked out once per snapshot, filters, language
    and reader's portfolios, and shared by every session: ten colleagues opening the overview format its
    "what changed" list once. The cache holds the frame itself; each caller gets a shallow copy, which pandas'
    copy-on-write keeps from changing the cached one."""
    @st.cache_resource(ttl=3600, max_entries=32, show_spinner=False)  # a few MB each at large; old snapshots go first
    def shared(name: str, db: str, version: int | None, lang: str, fence: tuple[str, ...], filters: Filters
               ) -> pd.DataFrame:
        return compute(filters)

    @functools.wraps(compute)
    def cached(filters: Filters) -> pd.DataFrame:
        name = f"{compute.__module__}.{compute.__qualname__}"  # one cache for all: the name is in the key
        return shared(name, str(settings.db_path()), data_version(), language(), auth.portfolios(),
                      filters).copy(deep=False)

    return cached


def _query(version: int | str, path: str, sql: str, params: dict[str, Any], attach: str | None = None, *,
           fence: tuple[str, ...] = ()) -> pd.DataFrame:
    """The query's rows, from the cache every session shares; a shallow copy, which pandas' copy-on-write keeps
    from changing the cached frame (no result is pickled and unpickled per read, as st.cache_data would)."""
    return _shared_query(version, path, sql, params, attach, fence=fence).copy(deep=False)


@st.cache_resource(ttl=3600, max_entries=2000, show_spinner=False)
def _shared_query(version: int | str, path: str, sql: str, params: dict[str, Any], attach: str | None = None, *,
                  fence: tuple[str, ...] = ()) -> pd.DataFrame:
    """One cursor per cache miss; (version, path) in the key makes new loads visible. `attach`: a frozen month's
    file, read-only, as `presented`. `fence`: the reader's portfolios (part of the key)."""
    con = _presenting(path, attach) if attach else _cursor(path)
    try:
        if fence:
            _fence(con, fence)
        return con.execute(sql, params).df()
    finally:
        con.close()


_OPEN: OrderedDict[str, duckdb.DuckDBPyConnection] = OrderedDict()  # snapshot file -> its read-only connection
_OPEN_KEPT = 4  # the current snapshot, frozen months being read, one just retired
_OPEN_LOCK = threading.Lock()


def _cursor(path: str) -> duckdb.DuckDBPyConnection:
    """A cursor on the snapshot file's read-only connection, opened on first use (17 ms at large, a cursor 0.3 ms)
    and kept for the next queries: a snapshot never changes. The least recently used beyond _OPEN_KEPT is let go,
    not closed (closing would close its cursors): queries running on them finish, then the file is released."""
    with _OPEN_LOCK:
        if path not in _OPEN:
            _OPEN[path] = duckdb.connect(path, read_only=True)
            while len(_OPEN) > _OPEN_KEPT:
                _OPEN.popitem(last=False)
        _OPEN.move_to_end(path)
        return _OPEN[path].cursor()


def _presenting(path: str, frozen: str) -> duckdb.DuckDBPyConnection:
    """A database of its own (in memory) with the snapshot file attached as the default and a frozen month's file
    as `presented`: attached to the kept connection's database, `presented` would be there for every cursor, and a
    second session's ATTACH would fail."""
    con = duckdb.connect()
    con.execute("ATTACH ? AS snapshot (READ_ONLY)", [path])
    con.execute("USE snapshot")
    con.execute("ATTACH ? AS presented (READ_ONLY)", [frozen])
    return con


# Tables a portfolio-limited reader sees whole: settings, dates and the record of what was loaded and frozen.
_UNFENCED = re.compile(r"cfg_.*|dim_report_date|frozen_month|frozen_input|snapshot_info|source_rows|snapshot_tables|"
                       r"warehouse_meta|load_replaced")
_EXAMPLES = {"load_log": "message", "gate_results": "examples"}  # columns that quote rows of any portfolio


def _fence(con: duckdb.DuckDBPyConnection, portfolios: tuple[str, ...]) -> None:
    """Shadow every table of the database with a temporary view holding only the rows of `portfolios`' projects, so
    every query, whatever it joins, sees only those. Deny by default: a table that cannot be tied to a project
    (people, utilisation) is empty; the load log and gate results keep their counts but not their example values;
    quarantined rows are those whose record names a fenced project."""
    home = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    con.execute(f'CREATE TEMP TABLE fence_projects AS SELECT project_id FROM "{home}".main.dim_project '
                "WHERE list_contains($p, portfolio)", {"p": list(portfolios)})
    columns: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                                     "WHERE database_name = current_database() AND schema_name = 'main'").fetchall():
        columns.setdefault(table, set()).add(column)
    for table, names in columns.items():
        source = f'"{home}".main."{table}"'
        if "project_id" in names:
            view = f"SELECT * FROM {source} WHERE project_id IN (SELECT project_id FROM fence_projects)"
        elif table == "quarantine":
            view = (f"SELECT * FROM {source} WHERE json_extract_string(record, '$.project_id') "
                    "IN (SELECT project_id FROM fence_projects)")
        elif table in _EXAMPLES:
            view = f"SELECT * REPLACE (NULL::VARCHAR AS {_EXAMPLES[table]}) FROM {source}"
        elif _UNFENCED.fullmatch(table):
            continue
        else:
            view = f"SELECT * FROM {source} WHERE false"
        con.execute(f'CREATE TEMP VIEW "{table}" AS {view}')


def tables() -> dict[str, int]:
    """Table name -> row count of the current snapshot (empty before the first load)."""
    version = data_version()
    return {} if version is None else dict(_tables(str(settings.db_path()), version))


@functools.lru_cache(maxsize=16)  # once per warehouse and snapshot, like _frozen_months
def _tables(db: str, version: int) -> dict[str, int]:
    frame = run("filters_tables")
    return dict(zip(frame["table_name"], frame["row_count"].astype(int), strict=True))
