-- one row per project per document type that is mandatory for its lifecycle stage (from the config) or
-- present in the register: the latest document of that type and its state present / stale / missing
CREATE OR REPLACE TABLE mart_documents AS
WITH rd AS (
    SELECT as_of_date AS report_date FROM dim_report_date
),
cfg AS (
    SELECT max(num) AS stale_after FROM cfg_setting WHERE key = 'documents.stale_after_days'
),
required AS (
    SELECT DISTINCT p.project_id, norm_key(m.document_type) AS document_key, m.document_type
    FROM dim_project AS p
    JOIN cfg_mandatory_document AS m ON norm_key(m.lifecycle_stage) = p.lifecycle_stage_key
),
latest AS (
    SELECT *
    FROM stg_documents
    QUALIFY row_number() OVER (
        PARTITION BY project_id, document_key ORDER BY last_updated DESC NULLS LAST, version DESC NULLS LAST, title
    ) = 1
),
present AS (
    SELECT project_id, document_key, count(*) AS documents_of_type FROM stg_documents GROUP BY ALL
),
joined AS (
    SELECT
        coalesce(r.project_id, l.project_id) AS project_id,
        coalesce(r.document_key, l.document_key) AS document_key,
        coalesce(l.document_type, r.document_type) AS document_type,
        r.project_id IS NOT NULL AS is_mandatory,
        l.title,
        l.version,
        l.owner,
        l.last_updated,
        l.approval_status,
        l._source_file AS source_file,
        l._load_id AS load_id,
        l._source_row AS source_row,
        l.project_id IS NOT NULL AS is_present
    FROM required AS r
    FULL JOIN latest AS l ON l.project_id = r.project_id AND l.document_key = r.document_key
)
SELECT
    j.project_id,
    p.lifecycle_stage,
    j.document_type,
    j.document_key,
    j.is_mandatory,
    j.title,
    j.version,
    j.owner,
    j.last_updated,
    j.approval_status,
    date_diff('day', j.last_updated, rd.report_date) AS age_days,
    CASE
        WHEN NOT j.is_present THEN 'missing'
        -- an undated document cannot be shown to be current
        WHEN j.last_updated IS NULL OR date_diff('day', j.last_updated, rd.report_date) > cfg.stale_after
            THEN 'stale'
        ELSE 'present'
    END AS state,
    coalesce(pr.documents_of_type, 0) AS documents_of_type,
    j.source_file,
    j.load_id,
    j.source_row
FROM joined AS j
LEFT JOIN dim_project AS p USING (project_id)
LEFT JOIN present AS pr USING (project_id, document_key)
CROSS JOIN rd
CROSS JOIN cfg;
