-- no grain: macros the published snapshot carries, so the marts and the dashboard's roll-ups band an index
-- the same way (created in the warehouse by every build and in every snapshot by pipelines.warehouse.publish)

-- an index (CPI, SPI, SPI(t), TCPI) as it is shown and banded: rounded half away from zero to
-- [evm] index_decimals (2) places
CREATE OR REPLACE MACRO index_shown(x) AS
    round(x * (SELECT 10 ^ num FROM cfg_setting WHERE key = 'evm.index_decimals'))
    / (SELECT 10 ^ num FROM cfg_setting WHERE key = 'evm.index_decimals');

-- the two-sided [evm] band of an index, decided on index_shown(x): the one place an index meets a band edge,
-- so a CPI of 0.8999999 shown as 0.90 is amber on every build and every page; NULL -> grey
CREATE OR REPLACE MACRO index_rag(x) AS CASE
    WHEN x IS NULL OR isnan(x) THEN 'grey'
    WHEN index_shown(x) BETWEEN (SELECT low FROM cfg_rag_band WHERE rag = 'green')
                            AND (SELECT high FROM cfg_rag_band WHERE rag = 'green') THEN 'green'
    WHEN index_shown(x) BETWEEN (SELECT low FROM cfg_rag_band WHERE rag = 'amber')
                            AND (SELECT high FROM cfg_rag_band WHERE rag = 'amber') THEN 'amber'
    ELSE 'red'
END;

-- The EVM formulas, each written once: mart_evm applies them per project and month, the dashboard's roll-ups
-- (queries/evm_rollup.sql, evm_trend.sql) to a group's sums, so a portfolio's CPI is a project's CPI formula.
-- Indices are stored to 4 decimals (index_shown rounds them for display and bands).
CREATE OR REPLACE MACRO evm_cpi(ev, ac) AS round(ev / nullif(ac, 0), 4);  -- CPI = EV / AC
CREATE OR REPLACE MACRO evm_spi(ev, pv) AS round(ev / nullif(pv, 0), 4);  -- SPI = EV / PV
CREATE OR REPLACE MACRO evm_spi_t(es, at_months) AS round(es / nullif(at_months, 0), 4);  -- SPI(t) = ES / AT

-- EAC = BAC / CPI from the unrounded ratio, BAC x AC / EV, in 38 digits; unknown before any cost is booked
CREATE OR REPLACE MACRO evm_eac(bac, ev, ac) AS
    CASE WHEN ac <> 0 THEN CAST(CAST(bac AS DECIMAL(38,2)) * ac / nullif(ev, 0) AS DECIMAL(18,2)) END;

-- TCPI = (BAC - EV) / (BAC - AC): unknown before any cost is booked (AC = 0: cost performance is unknown) and
-- once the budget is spent (AC >= BAC: no efficiency finishes within BAC, so not a negative number)
CREATE OR REPLACE MACRO evm_tcpi(bac, ev, ac) AS
    CASE WHEN ac > 0 AND ac < bac THEN round((bac - ev) / (bac - ac), 4) END;
