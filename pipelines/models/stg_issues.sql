-- one row per RAID item (issue / action / decision): the latest load wins
CREATE OR REPLACE TEMP VIEW stg_issues AS
SELECT
    i.item_id,
    i.project_id,
    norm_key(i.kind) AS kind,
    i.title,
    norm_key(i.status) AS status,
    i.raised_date,
    nullif(trim(i.owner), '') AS owner,
    i.due_date,
    i.closed_date,
    i._load_id,
    i._source_file,
    i._source_row
FROM latest_issues AS i
WHERE i.item_id IS NOT NULL;
