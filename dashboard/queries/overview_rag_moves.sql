-- one row per filtered project whose computed RAG at $period differs from $previous, with the indices and
-- grey reasons of both months (the cause of the move)
SELECT
    p.project_id,
    p.project_name,
    b.computed_rag AS rag_before,
    a.computed_rag AS rag_after,
    b.cpi AS cpi_before,
    a.cpi AS cpi_after,
    b.cpi_rag AS cpi_rag_before,
    a.cpi_rag AS cpi_rag_after,
    b.spi AS spi_before,
    a.spi AS spi_after,
    b.spi_rag AS spi_rag_before,
    a.spi_rag AS spi_rag_after,
    b.spi_t AS spi_t_before,
    a.spi_t AS spi_t_after,
    b.spi_t_rag AS spi_t_rag_before,
    a.spi_t_rag AS spi_t_rag_after,
    b.grey_reason AS grey_reason_before,
    a.grey_reason AS grey_reason_after
FROM filtered_projects AS p
JOIN mart_health AS a ON a.project_id = p.project_id AND a.period = $period
LEFT JOIN mart_health AS b ON b.project_id = p.project_id AND b.period = $previous
WHERE b.computed_rag IS DISTINCT FROM a.computed_rag
ORDER BY p.project_id
