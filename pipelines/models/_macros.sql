-- no grain: temporary SQL macros shared by the models (run once per build, never published)

-- 'Go-Live ', 'go live' -> 'go_live': how lifecycle stages and document types are compared
CREATE OR REPLACE TEMP MACRO norm_key(x) AS nullif(regexp_replace(lower(trim(x)), '[\s\-/]+', '_', 'g'), '');

-- first day of a budget period written 'YYYY-MM' (or 'YYYY-MM-DD', 'YYYY/MM'); NULL when unreadable
CREATE OR REPLACE TEMP MACRO period_month(p) AS
    CAST(date_trunc('month', try_strptime(replace(trim(p), '/', '-'), ['%Y-%m-%d', '%Y-%m'])) AS DATE);

-- a budget line's cost category; blank is the category '(none)'
CREATE OR REPLACE TEMP MACRO category_key(c) AS coalesce(nullif(trim(c), ''), '(none)');

-- a day (or week start) inside the weeks an incremental build refreshes: every day in a full build
-- (pipelines.build._set_week_slice sets the variables; constants to the optimiser, so a scan skips the rest)
CREATE OR REPLACE TEMP MACRO in_week_slice(d) AS
    d BETWEEN getvariable('week_slice_first') AND getvariable('week_slice_last') + 6;

-- first day of the month of a date, as DATE
CREATE OR REPLACE TEMP MACRO month_of(d) AS CAST(date_trunc('month', d) AS DATE);

-- a status export's RAG word -> green / amber / red / grey (NULL when blank or not a RAG word)
CREATE OR REPLACE TEMP MACRO norm_rag(x) AS CASE
    WHEN lower(trim(x)) IN ('g', 'green', '绿', '绿色') THEN 'green'
    WHEN lower(trim(x)) IN ('a', 'amber', 'y', 'yellow', 'orange', '黄', '黄色', '橙', '橙色') THEN 'amber'
    WHEN lower(trim(x)) IN ('r', 'red', '红', '红色') THEN 'red'
    WHEN lower(trim(x)) IN ('grey', 'gray', 'unknown', 'n/a', '灰', '灰色') THEN 'grey'
END;

-- ordinal of a RAG for "worst of": green 1 < amber 2 < red 3; grey/NULL 4 (unknown dominates)
CREATE OR REPLACE TEMP MACRO rag_rank(r) AS CASE r WHEN 'green' THEN 1 WHEN 'amber' THEN 2 WHEN 'red' THEN 3 ELSE 4 END;
CREATE OR REPLACE TEMP MACRO rag_of_rank(n) AS CASE n WHEN 1 THEN 'green' WHEN 2 THEN 'amber' WHEN 3 THEN 'red' ELSE 'grey' END;

-- a driver score 0-100: 100 at full_at (or better), 0 at zero_at (or worse), linear between; NULL stays NULL
-- (greatest/least skip NULLs in DuckDB, hence the explicit NULL test)
CREATE OR REPLACE TEMP MACRO linear_score(x, full_at, zero_at) AS CASE
    WHEN x IS NOT NULL THEN 100.0 * greatest(0.0, least(1.0, (x - zero_at) / nullif(full_at - zero_at, 0)))
END;

-- per project and as-of date of a snapshot source's raw table, the load that wrote its newest snapshot (a
-- corrected export of the same as-of replaces the whole snapshot); few rows: one per load
CREATE OR REPLACE TEMP MACRO latest_snapshot_load(raw_table) AS TABLE
    SELECT lo.project_id, lo.as_of_date, lo._load_id
    FROM (SELECT DISTINCT project_id, as_of_date, _load_id FROM query_table(raw_table)) AS lo
    LEFT JOIN load_log AS l ON l.load_id = lo._load_id
    QUALIFY row_number() OVER (
        PARTITION BY lo.project_id, lo.as_of_date
        ORDER BY l.loaded_at DESC NULLS LAST, lo._load_id DESC NULLS LAST
    ) = 1;
