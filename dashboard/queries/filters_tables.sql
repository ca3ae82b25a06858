-- one row per table of the published snapshot, with its row count (written by pipelines.warehouse.write_snapshot)
SELECT table_name, row_count
FROM snapshot_tables
ORDER BY table_name
