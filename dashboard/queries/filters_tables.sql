-- one row per table of the published snapshot, with its row count (DuckDB's exact count after CREATE TABLE AS)
SELECT table_name, estimated_size AS row_count
FROM duckdb_tables()
WHERE schema_name = 'main'
ORDER BY table_name
