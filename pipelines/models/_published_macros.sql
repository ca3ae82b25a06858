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
