-- one row per figure of month $period that differs between the month as presented (the frozen file, attached as
-- `presented`) and the live marts: project, metric, as presented, now (as shown: money to the cent, indices to
-- [evm] index_decimals, health to one decimal), and the loads since $frozen_at that wrote rows of that project
WITH figures AS (
    SELECT 'presented' AS side, e.project_id,
           format('{:,.2f}', e.bac) AS bac, format('{:,.2f}', e.pv) AS pv, format('{:,.2f}', e.ev) AS ev,
           format('{:,.2f}', e.ac) AS ac, format('{:,.2f}', e.eac) AS eac,
           CAST(index_shown(e.cpi) AS VARCHAR) AS cpi, CAST(index_shown(e.spi) AS VARCHAR) AS spi,
           CAST(index_shown(e.spi_t) AS VARCHAR) AS spi_t,
           h.computed_rag, h.health_rag, CAST(h.health_score AS VARCHAR) AS health_score
    FROM presented.mart_evm AS e
    LEFT JOIN presented.mart_health AS h USING (project_id, period)
    WHERE e.period = $period
    UNION ALL
    SELECT 'now', e.project_id,
           format('{:,.2f}', e.bac), format('{:,.2f}', e.pv), format('{:,.2f}', e.ev),
           format('{:,.2f}', e.ac), format('{:,.2f}', e.eac),
           CAST(index_shown(e.cpi) AS VARCHAR), CAST(index_shown(e.spi) AS VARCHAR),
           CAST(index_shown(e.spi_t) AS VARCHAR),
           h.computed_rag, h.health_rag, CAST(h.health_score AS VARCHAR)
    FROM mart_evm AS e
    LEFT JOIN mart_health AS h USING (project_id, period)
    WHERE e.period = $period
),
long AS (
    SELECT * FROM figures UNPIVOT INCLUDE NULLS (
        value FOR metric IN (bac, pv, ev, ac, eac, cpi, spi, spi_t, computed_rag, health_rag, health_score))
),
changed AS (
    SELECT p.project_id, p.metric, p.value AS as_presented, n.value AS now
    FROM (SELECT * FROM long WHERE side = 'presented') AS p
    FULL JOIN (SELECT * FROM long WHERE side = 'now') AS n USING (project_id, metric)
    WHERE p.value IS DISTINCT FROM n.value
)
SELECT
    c.project_id,
    c.metric,
    c.as_presented,
    c.now,
    (SELECT string_agg(DISTINCT pl.file_name || ' (' || strftime(pl.loaded_at, '%Y-%m-%d %H:%M') || ')', '; ')
     FROM dim_project_load AS pl
     WHERE pl.project_id = c.project_id AND pl.loaded_at > $frozen_at) AS changed_by
FROM changed AS c
ORDER BY c.project_id, c.metric
