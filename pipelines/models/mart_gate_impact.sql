-- one row per project, source and load whose rows the gate quarantined, with the months it affects
-- [from_month, to_month] (to_month NULL = every later month) and the KPIs it touches. A rejected load wrote
-- nothing, so it changes no mart: the data in use is what was there before it (load_log records it).
CREATE OR REPLACE TABLE mart_gate_impact AS
WITH window_months AS (
    SELECT max(num) AS n FROM cfg_setting WHERE key = 'health.quality.window_months'
),
kpis(source, kpis) AS (
    VALUES
        ('budgets', 'PV, AC, CPI, SPI, SPI(t), EAC, computed RAG, health score'),
        ('status', 'EV, CPI, SPI, SPI(t), declared RAG, computed RAG, health score'),
        ('risks', 'risk score, risk exposure, health score (risk driver)'),
        ('quality', 'check pass rate, open defects, health score (quality driver)'),
        ('milestones', 'milestone slip, on-time rate, overdue milestones')
),
quarantined AS (
    SELECT
        json_extract_string(q.record, '$.project_id') AS project_id,
        q.source,
        coalesce(
            CASE q.source
                WHEN 'budgets' THEN period_month(json_extract_string(q.record, '$.period'))
                WHEN 'status' THEN month_of(try_cast(json_extract_string(q.record, '$.report_date') AS DATE))
                WHEN 'quality' THEN month_of(try_cast(json_extract_string(q.record, '$.check_date') AS DATE))
                ELSE month_of(try_cast(json_extract_string(q.record, '$.as_of_date') AS DATE))
            END,
            month_of(l.as_of_date),
            month_of(l.loaded_at)
        ) AS from_month,
        q.load_id,
        q.file_name,
        l.loaded_at,
        q.rule
    FROM quarantine AS q
    JOIN load_log AS l ON l.load_id = q.load_id
    WHERE l.status IN ('loaded', 'loaded_with_quarantine') AND q.source IN (SELECT source FROM kpis)
),
quarantines AS (
    SELECT
        q.project_id,
        q.source,
        'quarantined_rows' AS issue,
        -- a missing budget row leaves BAC (the plan's total) wrong in every month, earlier ones included
        CASE WHEN q.source = 'budgets' THEN least(q.from_month, coalesce(p.first_planned_month, month_of(p.start_date)))
             ELSE q.from_month END AS from_month,
        CASE q.source
            -- budgets are cumulative (PV, AC) and make BAC: every month is affected
            WHEN 'budgets' THEN CAST(NULL AS DATE)
            -- the quality driver looks back window_months months
            WHEN 'quality' THEN CAST(q.from_month + to_months(CAST((SELECT n FROM window_months) AS INTEGER) - 1)
                                     AS DATE)
            -- a status report or a snapshot row: its own month
            ELSE q.from_month
        END AS to_month,
        q.load_id,
        q.file_name,
        q.loaded_at,
        string_agg(DISTINCT q.rule, ', ' ORDER BY q.rule) AS rules,
        count(*) AS rows_affected
    FROM quarantined AS q
    LEFT JOIN dim_project AS p USING (project_id)
    WHERE q.project_id IS NOT NULL
    GROUP BY ALL
)
SELECT
    i.project_id,
    i.source,
    i.issue,
    i.from_month,
    strftime(i.from_month, '%Y-%m') AS from_period,
    i.to_month,
    i.load_id,
    i.file_name,
    i.loaded_at,
    i.rules,
    i.rows_affected,
    k.kpis
FROM quarantines AS i
JOIN kpis AS k USING (source);
