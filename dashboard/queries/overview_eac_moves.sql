-- one row per filtered project whose estimate at completion moved by at least [evm] eac_move_share of its
-- BAC between $previous and $period, largest movement first
WITH cfg AS (SELECT num AS min_share FROM cfg_setting WHERE key = 'evm.eac_move_share')
SELECT
    p.project_id,
    p.project_name,
    p.currency,
    a.bac,
    b.eac AS eac_before,
    a.eac AS eac_after,
    b.cpi AS cpi_before,
    a.cpi AS cpi_after
FROM filtered_projects AS p
JOIN mart_evm AS a ON a.project_id = p.project_id AND a.period = $period
JOIN mart_evm AS b ON b.project_id = p.project_id AND b.period = $previous
CROSS JOIN cfg
WHERE a.eac IS NOT NULL AND b.eac IS NOT NULL AND abs(a.eac - b.eac) >= cfg.min_share * a.bac
ORDER BY abs(a.eac - b.eac) DESC, p.project_id
