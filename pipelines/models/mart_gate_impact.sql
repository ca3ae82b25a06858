-- one row per project, source and gate problem (a load's quarantined rows, or a rejected load) with the
-- months it affects [from_month, to_month] (to_month NULL = every later month) and the KPIs it touches
CREATE OR REPLACE TABLE mart_gate_impact AS
WITH rd AS (
    SELECT as_of_month FROM dim_report_date
),
window_months AS (
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
project_load AS (
    -- the loads whose rows currently feed each project, per source
    SELECT DISTINCT 'budgets' AS source, project_id, _load_id AS load_id FROM raw_budgets
    UNION
    SELECT DISTINCT 'status', project_id, _load_id FROM raw_status
    UNION
    SELECT DISTINCT 'risks', project_id, _load_id FROM raw_risks
    UNION
    SELECT DISTINCT 'quality', project_id, _load_id FROM raw_quality
    UNION
    SELECT DISTINCT 'milestones', project_id, _load_id FROM raw_milestones
),
project_file AS (
    SELECT pl.source, pl.project_id, l.file_name, max(l.loaded_at) AS last_good
    FROM project_load AS pl
    JOIN load_log AS l ON l.load_id = pl.load_id
    WHERE l.status IN ('loaded', 'loaded_with_quarantine')
    GROUP BY pl.source, pl.project_id, l.file_name
),
last_good AS (
    SELECT source, project_id, max(last_good) AS last_good FROM project_file GROUP BY source, project_id
),
rejected AS (
    SELECT load_id, source, file_name, loaded_at, as_of_date
    FROM load_log
    WHERE status = 'rejected' AND source IN (SELECT source FROM kpis)
),
rejected_project AS (
    -- a rejected re-export of a file that feeds the project ...
    SELECT pf.project_id, r.*
    FROM rejected AS r
    JOIN project_file AS pf ON pf.source = r.source AND pf.file_name = r.file_name
    UNION
    -- ... or a rejected load whose quarantine records name the project
    SELECT DISTINCT json_extract_string(q.record, '$.project_id') AS project_id, r.*
    FROM rejected AS r
    JOIN quarantine AS q ON q.load_id = r.load_id
),
rejections AS (
    SELECT
        rp.project_id,
        rp.source,
        'rejected_load' AS issue,
        coalesce(month_of(rp.as_of_date), rd.as_of_month) AS from_month,
        CAST(NULL AS DATE) AS to_month,
        rp.load_id,
        rp.file_name,
        rp.loaded_at,
        CAST(NULL AS VARCHAR) AS rules,
        CAST(NULL AS BIGINT) AS rows_affected
    FROM rejected_project AS rp
    LEFT JOIN last_good AS lg USING (source, project_id)
    CROSS JOIN rd
    WHERE rp.project_id IS NOT NULL AND (lg.last_good IS NULL OR rp.loaded_at > lg.last_good)
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
        project_id,
        source,
        'quarantined_rows' AS issue,
        from_month,
        CASE source
            -- budgets are cumulative (PV, AC): every later month is affected
            WHEN 'budgets' THEN CAST(NULL AS DATE)
            -- the quality driver looks back window_months months
            WHEN 'quality' THEN CAST(from_month + to_months(CAST((SELECT n FROM window_months) AS INTEGER) - 1)
                                     AS DATE)
            -- a status report or a snapshot row: its own month
            ELSE from_month
        END AS to_month,
        load_id,
        file_name,
        loaded_at,
        string_agg(DISTINCT rule, ', ' ORDER BY rule) AS rules,
        count(*) AS rows_affected
    FROM quarantined
    WHERE project_id IS NOT NULL
    GROUP BY project_id, source, from_month, load_id, file_name, loaded_at
),
issues AS (
    SELECT * FROM rejections
    UNION ALL
    SELECT * FROM quarantines
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
FROM issues AS i
JOIN kpis AS k USING (source);
