-- one row per group (portfolio / programme / department / manager / lifecycle_stage / total, chosen by
-- $level) of the filtered projects for month $period: BAC, PV, EV, AC summed over the group's measured
-- projects first, then the ratios (CPI = sum EV / sum AC ...). Never an average of indices.
-- measured = EV known (a status report exists) and AC > 0 at $period, i.e. the project's own CPI exists;
-- the others are counted (projects, bac_all) but kept out of every sum so that cost without earned value
-- (or earned value without cost) does not bias the group's indices.
-- Earned schedule of a group: ES and AT are BAC-weighted means of the measured projects' ES and AT
-- (es = sum(BAC x ES) / sum(BAC), likewise at); SPI(t) = es / at, SV(t) = es - at (months).
-- Groups come from the shared project_group CTE ($level); indices are rounded to 4 decimals like mart_evm's
-- and banded by the snapshot's index_rag macro (grey when NULL), the same rule as every project's.
WITH member AS (
    SELECT
        g.group_name,
        g.project_id,
        g.plan_bac,
        g.currency,
        e.bac,
        e.pv,
        e.ev,
        e.ac,
        e.es,
        e.at_months,
        coalesce(e.ev IS NOT NULL AND e.ac > 0, false) AS measured
    FROM project_group AS g
    LEFT JOIN mart_evm AS e ON e.project_id = g.project_id AND e.period = $period
),
rolled AS (
    SELECT
        group_name,
        count(*) AS projects,
        count(*) FILTER (WHERE measured) AS projects_measured,
        sum(plan_bac) AS bac_all,
        list_sort(list(DISTINCT currency) FILTER (WHERE currency IS NOT NULL)) AS currencies,
        sum(bac) FILTER (WHERE measured) AS bac,
        sum(pv) FILTER (WHERE measured) AS pv,
        sum(ev) FILTER (WHERE measured) AS ev,
        sum(ac) FILTER (WHERE measured) AS ac,
        sum(bac * es) FILTER (WHERE measured AND es IS NOT NULL)
            / nullif(sum(bac) FILTER (WHERE measured AND es IS NOT NULL), 0) AS es,
        sum(bac * at_months) FILTER (WHERE measured AND es IS NOT NULL)
            / nullif(sum(bac) FILTER (WHERE measured AND es IS NOT NULL), 0) AS at_months
    FROM member
    GROUP BY group_name
),
ratios AS (
    SELECT
        r.*,
        r.ev - r.ac AS cv,
        r.ev - r.pv AS sv,
        evm_cpi(r.ev, r.ac) AS cpi,
        evm_spi(r.ev, r.pv) AS spi,
        evm_eac(r.bac, r.ev, r.ac) AS eac,
        evm_spi_t(r.es, r.at_months) AS spi_t,
        round(r.es - r.at_months, 4) AS sv_t
    FROM rolled AS r
)
SELECT
    $level AS level,
    x.group_name,
    x.projects,
    x.projects_measured,
    x.projects - x.projects_measured AS projects_unmeasured,
    x.bac_all,
    x.currencies,  -- more than one: the group's amounts add different currencies (the tiles say so)
    x.bac / nullif(x.bac_all, 0) AS measured_bac_share,
    x.bac,
    x.pv,
    x.ev,
    x.ac,
    x.cv,
    x.sv,
    x.cpi,
    x.spi,
    x.eac,
    x.eac - x.ac AS etc,
    x.bac - x.eac AS vac,
    evm_tcpi(x.bac, x.ev, x.ac) AS tcpi,
    round(x.es, 4) AS es,
    x.at_months,
    x.spi_t,
    x.sv_t,
    index_rag(x.cpi) AS cpi_rag,
    index_rag(x.spi) AS spi_rag,
    index_rag(x.spi_t) AS spi_t_rag
FROM ratios AS x
ORDER BY x.group_name
