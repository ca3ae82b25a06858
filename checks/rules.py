"""Rule kinds of the quality gate: each rule is declared once and rendered two ways.

Why this shape (single-sourced and fast):
- A rule is built by one small function below from its parameters (column, bounds, vocabulary,
  reference table ...). That function renders BOTH the great-expectations expectation that
  validates the batch inside DuckDB (a GX built-in where one fits) and `query`, the SQL that
  selects the failing rows (`_source_row`, `value`) which the gate copies into the failures
  table and quotes as examples. The two renderings sit side by side, from the same arguments.
- Where GX has no built-in that runs on DuckDB with the semantics we need, the rule's GX
  expectation IS `UnexpectedRowsExpectation(query)`: literally the same SQL text for GX and for
  the quarantine. That covers referential (anti-join) and cross-source rules (SPEC: value-set
  lists of ids are far too slow), cell type conversion and YYYY-MM periods (GX 1.24's regex and
  LIKE expectations raise "not supported for dialect duckdb"), and compound grains (GX's
  compound-unique skips keys holding a NULL, while the loader replaces by grain with
  IS NOT DISTINCT FROM, so two rows with the same key and an empty activity ARE duplicates).
- The gate cross-checks every failing row rule (a real check for the GX built-ins; for the
  UnexpectedRowsExpectation rules GX runs the same SQL): GX's unexpected count must equal the number of
  rows its query selects, or the batch is rejected with rule `gate_self_check`; the tests run
  every rule kind through that check. Nothing is evaluated in Python row by row and GX never
  pulls the batch into pandas: 10 M timesheet rows validate in seconds.

Queries name the batch `{batch}` and contain no other braces (GX fills it with str.format). GX
renders it as a table name, a parenthesised subquery or one aliased `subselect` depending on the
query text, so a query never aliases it directly: it writes `(SELECT * FROM {batch}) b`.
Literal values (vocabularies, bounds) and identifiers come from the contract in `contract.sources`
and the suites (the BAC tolerance from pmo.toml, as a float), never from data: a GX query is one
self-contained text, with no parameters to bind.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

# structural rejects the batch; row quarantines failing rows; cell keeps the row and quarantines only the
# failing cell (already empty in the batch); warning only reports.
STRUCTURAL, ROW, CELL, WARNING = "structural", "row", "cell", "warning"

URE = "UnexpectedRowsExpectation"


@dataclass(frozen=True)
class Rule:
    rule: str  # readable id, stored in gate_results.rule and quarantine.rule
    severity: str  # structural | row | cell | warning
    expectation: str  # GX expectation class name
    params: dict[str, Any] = field(hash=False)  # keyword arguments of that expectation
    column: str | None = None
    query: str | None = None  # SELECT _source_row, value FROM {batch} ... : the rows/items that break it
    needs: tuple[str, ...] = ()  # columns the rule reads; skipped when one is not in the file
    description: str = ""  # one line for people: what the rule demands

    def gx_expectation(self, meta: dict[str, Any]) -> Any:
        import great_expectations.expectations as gxe

        kind = counted_unexpected_rows() if self.expectation == URE else getattr(gxe, self.expectation)
        return kind(**self.params, meta=meta)


@functools.cache
def counted_unexpected_rows() -> type:
    """GX's UnexpectedRowsExpectation, counting the rows its query selects without also fetching the first 200 of
    them (GX runs the query once per metric, and the rows are unused in the BASIC results the gate asks for: it
    quotes examples and quarantines from the same query itself). Half the gate's SQL on 10 M timesheet rows, where
    a grain's duplicates or a person-day's hours take a second per run."""
    from great_expectations.expectations import UnexpectedRowsExpectation

    class ExpectQueryToSelectNoRows(UnexpectedRowsExpectation):
        metric_dependencies = ("unexpected_rows_query.row_count",)

        def _validate(self, metrics: dict, runtime_configuration: dict | None = None,
                      execution_engine: Any = None) -> dict:
            count = metrics["unexpected_rows_query.row_count"]
            return {"success": count == 0, "result": {"observed_value": count}}

    return ExpectQueryToSelectNoRows


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _num(value: float) -> str:
    return f"{value:g}"


def cast_error_mentions(column: str) -> str:
    """SQL: the row's `_cast_errors` ("hours='abc'; work_date='31/02'") names `column`."""
    return f"regexp_matches(_cast_errors, {_lit(f'(^|; ){column}=')})"


def cast_error_text(column: str) -> str:
    """SQL: the `column='raw value'` part of `_cast_errors`, or NULL."""
    pattern = f"(?:^|; )({column}=.*?)(?:; [a-z_]+=|$)"
    return f"nullif(regexp_extract(_cast_errors, {_lit(pattern)}, 1), '')"


def withheld_mentions(column: str) -> str:
    """SQL: the row's `_withheld` (cells the publisher declined to give, see pipelines/formats) names `column`."""
    return f"coalesce(regexp_matches(_withheld, {_lit(f'(^|; ){column}=')}), false)"


def withheld_text(column: str) -> str:
    """SQL: the `column='publisher text'` part of `_withheld`, or NULL."""
    pattern = f"(?:^|; )({column}=.*?)(?:; [a-z_]+=|$)"
    return f"nullif(regexp_extract(_withheld, {_lit(pattern)}, 1), '')"


# --- structural: the batch is rejected -----------------------------------------------------------

def batch_not_empty() -> Rule:
    return Rule("batch_not_empty", STRUCTURAL, "ExpectTableRowCountToBeBetween", {"min_value": 1},
                description="the file has at least one data row")


def required_column_present(column: str) -> Rule:
    return Rule("required_column_present", STRUCTURAL, "ExpectColumnToExist", {"column": column}, column,
                description=f"the file has a column mapped to {column}")


def required_column_convertible(column: str, type_word: str) -> Rule:
    query = (f"SELECT CAST(NULL AS BIGINT) AS _source_row, "
             f"'no value converts to {type_word}, e.g. ' || string_agg({cast_error_text(column)}, '; ') AS value "
             f"FROM (SELECT * FROM {{batch}} WHERE {cast_error_mentions(column)} ORDER BY _source_row LIMIT 3) "
             f"WHERE NOT EXISTS (SELECT 1 FROM {{batch}} WHERE {column} IS NOT NULL) HAVING count(*) > 0")
    return Rule("required_column_convertible", STRUCTURAL, URE, {"unexpected_rows_query": query}, column, query,
                (column,), f"at least one value of {column} converts to {type_word}")


def required_column_has_values(column: str) -> Rule:
    query = (f"SELECT CAST(NULL AS BIGINT) AS _source_row, 'all ' || count(*) || ' values are empty' AS value "
             f"FROM {{batch}} HAVING count(*) > 0 AND count({column}) = 0 "
             f"AND count(*) FILTER (WHERE {cast_error_mentions(column)} OR {withheld_mentions(column)}) = 0")
    return Rule("required_column_has_values", STRUCTURAL, URE, {"unexpected_rows_query": query}, column, query,
                (column,), f"{column} is not empty in every row (cells the publisher withheld excepted)")


# --- row: failing rows are quarantined -------------------------------------------------------------

def not_null(column: str) -> Rule:
    # Not GX's ExpectColumnValuesToNotBeNull: a cell the publisher withheld is empty but explained, and is
    # quarantined by withheld_by_source instead.
    query = (f"SELECT _source_row, coalesce({cast_error_text(column)}, 'empty') AS value "
             f"FROM {{batch}} WHERE {column} IS NULL AND NOT {withheld_mentions(column)}")
    return Rule(f"{column}_not_null", ROW, URE, {"unexpected_rows_query": query}, column, query,
                (column,), f"{column} is required (empty or unconvertible cells fail, withheld cells excepted)")


def no_extra_fields() -> Rule:
    """A row with more fields than the header (an unquoted delimiter inside a value): quarantined whole, with the
    extra text, rather than loaded with its text cut. The gate adds it to files that have such rows."""
    query = "SELECT _source_row, _extra_fields AS value FROM {batch} WHERE _extra_fields IS NOT NULL"
    return Rule("row_has_no_extra_fields", ROW, URE, {"unexpected_rows_query": query}, None, query,
                ("_extra_fields",), "a row has no more fields than the header (quote values that hold the delimiter)")


def line_within_limit() -> Rule:
    """A CSV line longer than [limits] csv_max_line_bytes: the reader put it aside (its number, size, sha256 and
    first characters in `_overlong_line`) and the rest of the file loads. The gate adds it to files with such lines."""
    query = "SELECT _source_row, _overlong_line AS value FROM {batch} WHERE _overlong_line IS NOT NULL"
    return Rule("line_within_length_limit", ROW, URE, {"unexpected_rows_query": query}, None, query,
                ("_overlong_line",), "a line is no longer than [limits] csv_max_line_bytes")


def cells_within_length(columns: tuple[str, ...], limit: int) -> Rule:
    """No text cell longer than `limit` characters ([limits] max_cell_chars; Excel holds at most 32,767)."""
    longest = f"greatest({', '.join(f'coalesce(length({c}), 0)' for c in columns)})"
    named = " || ".join(f"CASE WHEN length({c}) > {limit} THEN '{c}: ' || length({c}) || ' characters; ' ELSE '' END"
                        for c in columns)
    query = f"SELECT _source_row, rtrim({named}, '; ') AS value FROM {{batch}} WHERE {longest} > {limit}"
    return Rule(f"text_at_most_{limit}_characters", ROW, URE, {"unexpected_rows_query": query}, None, query,
                columns, f"no text cell is longer than {limit:,} characters ([limits] max_cell_chars)")


def blank_takes_default(column: str, key: str) -> Rule:
    """A blank cell of a column with a configured default: the row loads and takes the default; reported."""
    return warn_rows(f"{column}_blank_takes_default", column,
                     f"{column} IS NULL AND NOT {cast_error_mentions(column)} IS TRUE", key, (column,),
                     f"a blank {column} takes the default from pmo.toml")


def type_valid(column: str, type_word: str) -> Rule:
    query = (f"SELECT _source_row, {cast_error_text(column)} AS value "
             f"FROM {{batch}} WHERE {cast_error_mentions(column)}")
    return Rule(f"{column}_type_valid", ROW, URE, {"unexpected_rows_query": query}, column, query, (column,),
                f"{column} converts to {type_word}")


def between(column: str, low: float | None = None, high: float | None = None) -> Rule:
    if low is not None and high is not None:
        name, test = f"{column}_between_{_num(low)}_and_{_num(high)}", f"{column} < {low} OR {column} > {high}"
    elif low is not None:
        name, test = f"{column}_ge_{_num(low)}", f"{column} < {low}"
    elif high is not None:
        name, test = f"{column}_le_{_num(high)}", f"{column} > {high}"
    else:
        raise ValueError("between() needs a bound")
    # the value as a person wrote it (27.5), not as its exact decimal column holds it (27.5000)
    query = f"SELECT _source_row, CAST(CAST({column} AS DOUBLE) AS VARCHAR) AS value FROM {{batch}} WHERE {test}"
    return Rule(name, ROW, "ExpectColumnValuesToBeBetween", {"column": column, "min_value": low, "max_value": high},
                column, query, (column,), f"{column} within [{low if low is not None else '-inf'}, "
                                          f"{high if high is not None else 'inf'}]")


def in_set(column: str, allowed: tuple[str, ...]) -> Rule:
    values = ", ".join(_lit(v) for v in allowed)
    query = f"SELECT _source_row, {column} AS value FROM {{batch}} WHERE {column} NOT IN ({values})"
    return Rule(f"{column}_allowed_value", ROW, "ExpectColumnValuesToBeInSet",
                {"column": column, "value_set": list(allowed)}, column, query, (column,),
                f"{column} is one of: {', '.join(allowed)}")


def not_before(later: str, earlier: str) -> Rule:
    query = (f"SELECT _source_row, CAST({later} AS VARCHAR) || ' is before ' || CAST({earlier} AS VARCHAR) AS value "
             f"FROM {{batch}} WHERE {later} < {earlier}")
    return Rule(f"{later}_not_before_{earlier}", ROW, "ExpectColumnPairValuesAToBeGreaterThanB",
                {"column_A": later, "column_B": earlier, "or_equal": True, "ignore_row_if": "either_value_is_missing"},
                later, query, (later, earlier), f"{later} is on or after {earlier} when both are given")


def grain_unique(columns: tuple[str, ...]) -> Rule:
    if len(columns) == 1:
        (column,) = columns
        query = (f"SELECT _source_row, CAST({column} AS VARCHAR) AS value FROM {{batch}} WHERE {column} IN "
                 f"(SELECT {column} FROM {{batch}} GROUP BY {column} HAVING count(*) > 1)")
        return Rule("grain_unique", ROW, "ExpectColumnValuesToBeUnique", {"column": column}, column, query, columns,
                    f"one row per {column}; every row of a duplicated key is quarantined")
    key = ", ".join(columns)
    label = " || ' | ' || ".join(f"coalesce(CAST({c} AS VARCHAR), '(empty)')" for c in columns)
    # PARTITION BY puts empty values together, as the loader's IS NOT DISTINCT FROM does; on 10 M rows
    # the window is faster here than GROUP BY + semi-join on IS NOT DISTINCT FROM.
    query = (f"SELECT _source_row, {label} AS value FROM {{batch}} "
             f"QUALIFY count(*) OVER (PARTITION BY {key}) > 1")
    return Rule("grain_unique", ROW, URE, {"unexpected_rows_query": query}, None, query, columns,
                f"one row per ({key}), empty values compared as equal; every row of a duplicated key "
                f"is quarantined")


def known(column: str, reference: str, ref_column: str | None = None) -> Rule:
    ref_column = ref_column or column
    # An explicit ANTI JOIN: 0.05 s on 10 M rows, where DuckDB plans NOT EXISTS ten times slower.
    query = (f"SELECT b._source_row, b.{column} AS value FROM (SELECT * FROM {{batch}}) b "
             f"ANTI JOIN {reference} r ON r.{ref_column} = b.{column} WHERE b.{column} IS NOT NULL")
    return Rule(f"{column}_known", ROW, URE, {"unexpected_rows_query": query}, column, query, (column,),
                f"{column} exists in {reference.removeprefix('ref_')} (warehouse or this file)")


def period_is_a_month(column: str = "period") -> Rule:
    """YYYY-MM, YYYY/MM or a date YYYY-MM-DD (its month): what the models' period_month() macro reads."""
    readable = f"try_strptime(replace(trim({column}), '/', '-'), ['%Y-%m-%d', '%Y-%m'])"
    query = f"SELECT _source_row, {column} AS value FROM {{batch}} WHERE {readable} IS NULL AND {column} IS NOT NULL"
    return Rule(f"{column}_is_a_month", ROW, URE, {"unexpected_rows_query": query}, column, query, (column,),
                f"{column} is a month: YYYY-MM, YYYY/MM or a date YYYY-MM-DD")


def person_day_hours_at_most(limit: float) -> Rule:
    """Cross-source: a person's hours on a day, this file plus what the warehouse keeps, <= limit.

    Only rows whose own hours are valid (0..24) count: a quarantined 30-hour row must not also
    quarantine the person's other rows of that day.
    """
    query = (
        "WITH day AS (SELECT employee_id, work_date, sum(hours) AS hours FROM {batch} "
        "WHERE employee_id IS NOT NULL AND work_date IS NOT NULL AND hours BETWEEN 0 AND 24 GROUP BY ALL), "
        "known AS (SELECT employee_id, work_date, sum(hours) AS hours FROM ref_person_day_hours GROUP BY ALL), "
        "over AS (SELECT d.employee_id, d.work_date, d.hours AS here, coalesce(k.hours, 0) AS before "
        "FROM day d LEFT JOIN known k USING (employee_id, work_date) "
        f"WHERE d.hours + coalesce(k.hours, 0) > {limit}) "
        "SELECT b._source_row, b.employee_id || ' on ' || CAST(b.work_date AS VARCHAR) || ' logs ' "
        "|| CAST(o.here + o.before AS VARCHAR) || ' h (' || CAST(o.before AS VARCHAR) || ' h already loaded)' AS value "
        "FROM (SELECT * FROM {batch}) b JOIN over o ON b.employee_id = o.employee_id AND b.work_date = o.work_date "
        "WHERE b.hours BETWEEN 0 AND 24")
    return Rule(f"person_day_hours_le_{_num(limit)}", ROW, URE, {"unexpected_rows_query": query}, "hours", query,
                ("employee_id", "work_date", "hours"),
                f"hours per person per day, across all loaded timesheets, at most {_num(limit)}")


# --- cell: the row loads, the failing cell is kept in quarantine ---------------------------------------

def withheld_by_source(column: str) -> Rule:
    """A cell whose text says the publisher withheld the value (an FOI exemption ...): loaded empty, never
    as 0, and the text is kept in quarantine with this rule."""
    query = (f"SELECT _source_row, {withheld_text(column)} AS value "
             f"FROM {{batch}} WHERE {withheld_mentions(column)}")
    return Rule(f"{column}_withheld_by_source", CELL, URE, {"unexpected_rows_query": query}, column, query, (),
                f"{column} is given by the publisher (a withheld cell loads empty and is kept in quarantine)")


# --- warnings: reported, nothing quarantined -------------------------------------------------------

def warn_rows(rule: str, column: str | None, where: str, value: str, needs: tuple[str, ...], description: str) -> Rule:
    query = f"SELECT _source_row, {value} AS value FROM {{batch}} WHERE {where}"
    return Rule(rule, WARNING, URE, {"unexpected_rows_query": query}, column, query, needs, description)


def not_in_future(column: str) -> Rule:
    return warn_rows(f"{column}_not_in_future", column, f"{column} > current_date", f"CAST({column} AS VARCHAR)",
                     (column,), f"{column} is not after today")


def budget_matches_bac(tolerance: float) -> Rule:
    """Cross-source: per project, planned cost (this file + the warehouse's other periods) ~ BAC."""
    query = (
        "WITH here AS (SELECT project_id, sum(planned_cost) AS planned FROM {batch} "
        "WHERE project_id IS NOT NULL AND planned_cost >= 0 GROUP BY ALL), "
        "before AS (SELECT project_id, sum(planned_cost) AS planned FROM ref_budget_periods GROUP BY ALL), "
        "bac AS (SELECT project_id, max(budget_at_completion) AS bac FROM ref_projects "
        "WHERE budget_at_completion IS NOT NULL GROUP BY ALL), "
        "total AS (SELECT h.project_id, h.planned + coalesce(p.planned, 0) AS planned, bac.bac "
        "FROM here h JOIN bac USING (project_id) LEFT JOIN before p USING (project_id)) "
        "SELECT CAST(NULL AS BIGINT) AS _source_row, project_id || ' planned ' || CAST(round(planned, 2) AS VARCHAR) "
        "|| ' vs BAC ' || CAST(round(bac, 2) AS VARCHAR) AS value FROM total "
        f"WHERE abs(planned - bac) > {tolerance!r} * abs(bac) ORDER BY project_id")
    return Rule("budget_sums_to_bac", WARNING, URE, {"unexpected_rows_query": query}, "planned_cost", query,
                ("project_id", "planned_cost"),
                f"per project, the sum of planned_cost is within {tolerance:.1%} of budget_at_completion")
