-- one row per group (chosen by $level, as in evm_rollup.sql) per month of the filtered projects: the group's
-- S-curve. pv_plan = PV of every project (future months included: the plan to completion); bac, pv, ev, ac
-- and the indices are summed over the projects measured in that month (EV known and AC > 0), then divided.
WITH member AS (
    SELECT
        g.group_name,
        e.*,
        coalesce(e.ev IS NOT NULL AND e.ac > 0, false) AS measured
    FROM project_group AS g
    JOIN mart_evm AS e ON e.project_id = g.project_id
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
    evm_cpi(r.ev, r.ac) AS cpi,
    evm_spi(r.ev, r.pv) AS spi,
    evm_eac(r.bac, r.ev, r.ac) AS eac,
    round(r.es, 4) AS es,
    r.at_months,
    evm_spi_t(r.es, r.at_months) AS spi_t,
    round(r.es - r.at_months, 4) AS sv_t,
    index_rag(evm_cpi(r.ev, r.ac)) AS cpi_rag,
    index_rag(evm_spi_t(r.es, r.at_months)) AS spi_t_rag
FROM rolled AS r
ORDER BY r.group_name, r.period
