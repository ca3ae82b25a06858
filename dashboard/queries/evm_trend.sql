-- one row per group (chosen by $level, as in evm_rollup.sql) per month of the filtered projects: the group's
-- S-curve. pv_plan = PV of every project (future months included: the plan to completion); bac, pv, ev, ac
-- and the indices are summed over the projects measured in that month (EV known and AC > 0), then divided.
WITH bands AS (
    SELECT
        max(low) FILTER (WHERE rag = 'green') AS g_lo,
        max(high) FILTER (WHERE rag = 'green') AS g_hi,
        max(low) FILTER (WHERE rag = 'amber') AS a_lo,
        max(high) FILTER (WHERE rag = 'amber') AS a_hi
    FROM cfg_rag_band
),
member AS (
    SELECT
        coalesce(CASE $level
            WHEN 'portfolio' THEN p.portfolio
            WHEN 'programme' THEN p.programme
            WHEN 'department' THEN p.department
            WHEN 'manager' THEN p.manager
            WHEN 'lifecycle_stage' THEN p.lifecycle_stage
            WHEN 'total' THEN 'All projects'
            ELSE error('evm_trend: unknown level (portfolio, programme, department, manager, '
                       || 'lifecycle_stage or total)')
        END, '(none)') AS group_name,
        e.*,
        coalesce(e.ev IS NOT NULL AND e.ac > 0, false) AS measured
    FROM filtered_projects AS p
    JOIN mart_evm AS e ON e.project_id = p.project_id
),
rolled AS (
    SELECT
        group_name,
        period,
        any_value(month_end) AS month_end,
        bool_and(is_future) AS is_future,
        count(*) AS projects,
        count(*) FILTER (WHERE measured) AS projects_measured,
        sum(pv) AS pv_plan,
        sum(ac) AS ac_all,
        sum(bac) FILTER (WHERE measured) AS bac,
        sum(pv) FILTER (WHERE measured) AS pv,
        sum(ev) FILTER (WHERE measured) AS ev,
        sum(ac) FILTER (WHERE measured) AS ac,
        sum(bac * es) FILTER (WHERE measured AND es IS NOT NULL)
            / nullif(sum(bac) FILTER (WHERE measured AND es IS NOT NULL), 0) AS es,
        sum(bac * at_months) FILTER (WHERE measured AND es IS NOT NULL)
            / nullif(sum(bac) FILTER (WHERE measured AND es IS NOT NULL), 0) AS at_months
    FROM member
    GROUP BY group_name, period
)
SELECT
    $level AS level,
    r.group_name,
    r.period,
    r.month_end,
    r.is_future,
    r.projects,
    r.projects_measured,
    r.pv_plan,
    r.ac_all,
    r.bac,
    r.pv,
    r.ev,
    r.ac,
    r.ev - r.ac AS cv,
    r.ev - r.pv AS sv,
    r.ev / nullif(r.ac, 0) AS cpi,
    r.ev / nullif(r.pv, 0) AS spi,
    r.bac / nullif(r.ev / nullif(r.ac, 0), 0) AS eac,
    r.es,
    r.at_months,
    r.es / nullif(r.at_months, 0) AS spi_t,
    r.es - r.at_months AS sv_t,
    CASE WHEN r.ev / nullif(r.ac, 0) IS NULL THEN 'grey'
         WHEN r.ev / r.ac BETWEEN b.g_lo AND b.g_hi THEN 'green'
         WHEN r.ev / r.ac BETWEEN b.a_lo AND b.a_hi THEN 'amber' ELSE 'red' END AS cpi_rag,
    CASE WHEN r.es / nullif(r.at_months, 0) IS NULL THEN 'grey'
         WHEN r.es / r.at_months BETWEEN b.g_lo AND b.g_hi THEN 'green'
         WHEN r.es / r.at_months BETWEEN b.a_lo AND b.a_hi THEN 'amber' ELSE 'red' END AS spi_t_rag
FROM rolled AS r
CROSS JOIN bands AS b
ORDER BY r.group_name, r.period
