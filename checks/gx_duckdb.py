"""The one fix great-expectations needs to validate inside DuckDB, and how GX shares our database.

The trap (SPEC section 4; GX issues #10738, #11579, still present in GX 1.24.1 + duckdb-engine
0.17 + DuckDB 2.0): `SqlAlchemyExecutionEngine.execute_query` runs a query inside
`with self.get_connection() as connection:` and returns the *unfetched* result after the block
has closed the connection. duckdb-engine opens a real DuckDB transaction on SQLAlchemy's
autobegin, closing the connection rolls it back, and DuckDB drops the pending result set with
it: every metric query then returns no rows (`MetricResolutionError: list index out of range`).
`tests/test_gate.py::test_gx_duckdb_trap_still_present_and_fixed` fails when upstream changes this.

The fix: GX already keeps one *persisted* connection per execution engine for SQLite and SQL
Server (so temp tables survive). We do the same for the duckdb dialect only, so a result stays
readable until GX's next query, which is exactly how GX consumes results (execute, then fetch).
We did not use the `Result.freeze()` variant measured in the SPEC: it buffers the whole result
in Python, and GX's `UnexpectedRowsExpectation` fetches only 200 rows of an unbounded query, so
freezing a query whose 10 M rows all fail costs 24 s and 2.4 GiB per rule (measured here);
a persisted connection streams just the rows GX asks for. A failed statement rolls the
connection back so that later metrics are not poisoned by an aborted DuckDB transaction.

Same-process sharing: DuckDB caches one database instance per file per process and refuses a
second `duckdb.connect(path)` whose configuration differs (duckdb-engine always adds
`custom_user_agent`, so a plain `duckdb:///<file>` engine cannot open a file the orchestrator
already holds). `engine_kwargs(con)` therefore hands GX connections made with `con.cursor()`:
the same database instance, each with its own transaction context, no second open of the file.
`release(datasource)` closes them all, so once the orchestrator closes `con` the file is free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

_DIALECT = "duckdb"
_MARK = "_pmo_persisted_duckdb_connection"

# The unpatched `SqlAlchemyExecutionEngine.get_connection`, kept for the test that proves the trap.
ORIGINAL_GET_CONNECTION: Callable[..., Any] | None = None


def apply() -> None:
    """Patch GX (idempotent): a persisted connection per execution engine for the duckdb dialect."""
    global ORIGINAL_GET_CONNECTION
    from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine

    current = SqlAlchemyExecutionEngine.get_connection
    if getattr(current, _MARK, False):
        return
    ORIGINAL_GET_CONNECTION = current

    @contextmanager
    def get_connection(self: Any) -> Iterator[Any]:
        if self.dialect_name != _DIALECT:
            with current(self) as connection:
                yield connection
            return
        if self._connection is None or self._connection.closed:
            self._connection = self.engine.connect()
        try:
            yield self._connection
        except Exception:
            self._connection.rollback()  # an aborted DuckDB transaction would fail every later query
            raise

    setattr(get_connection, _MARK, True)
    get_connection.__wrapped__ = current  # type: ignore[attr-defined]
    SqlAlchemyExecutionEngine.get_connection = get_connection  # type: ignore[method-assign]


def is_applied() -> bool:
    from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine

    return bool(getattr(SqlAlchemyExecutionEngine.get_connection, _MARK, False))


def engine_kwargs(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """`create_engine` keyword arguments that make GX's connections cursors of `con`."""
    from duckdb_engine import ConnectionWrapper

    return {"creator": lambda: ConnectionWrapper(con.cursor())}


def release(datasource: Any) -> None:
    """Close every connection GX opened for `datasource` (its persisted one and its pools)."""
    execution_engine = datasource.get_execution_engine()
    if execution_engine._connection is not None:
        execution_engine._connection.close()
        execution_engine._connection = None
    execution_engine.engine.dispose()
    datasource.get_engine().dispose()
