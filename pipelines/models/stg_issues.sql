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
FROM raw_issues AS i
LEFT JOIN load_log AS l ON l.load_id = i._load_id
WHERE i.item_id IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY i.project_id, i.item_id
    ORDER BY l.loaded_at DESC NULLS LAST, i._load_id DESC NULLS LAST, i._source_row DESC NULLS LAST
) = 1;
