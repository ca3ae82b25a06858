-- one row per risk per snapshot (as_of_date): score = probability x impact, configured band, open and
-- overdue-mitigation flags, and the change against the risk's previous snapshot
CREATE OR REPLACE TABLE mart_risk AS
WITH rd AS (
    SELECT as_of_date AS report_date FROM dim_report_date
),
scored AS (
    SELECT
        r.*,
        r.probability * r.impact AS score,
        coalesce(r.status IN (SELECT status FROM cfg_risk_open_status), false) AS is_open
    FROM stg_risks AS r
    CROSS JOIN rd
    WHERE r.as_of_date <= rd.report_date
),
banded AS (
    SELECT s.*, b.band, b.band_rank, coalesce(b.is_escalated, false) AS is_escalated
    FROM scored AS s
    LEFT JOIN cfg_risk_band AS b ON s.score > b.min_score_exclusive AND s.score <= b.max_score
)
SELECT
    project_id,
    risk_id,
    as_of_date,
    strftime(as_of_date, '%Y-%m') AS period,
    title,
    category,
    owner,
    probability,
    impact,
    score,
    band,
    band_rank,
    is_escalated,
    status,
    is_open,
    raised_date,
    due_date,
    closed_date,
    mitigation,
    coalesce(is_open AND due_date < as_of_date, false) AS is_overdue_mitigation,
    CASE WHEN is_open AND due_date < as_of_date THEN date_diff('day', due_date, as_of_date) END
        AS days_overdue,
    lag(as_of_date) OVER w AS previous_as_of_date,
    lag(score) OVER w AS previous_score,
    lag(band) OVER w AS previous_band,
    lag(status) OVER w AS previous_status,
    score - lag(score) OVER w AS score_change,
    lag(as_of_date) OVER w IS NULL AS is_new,
    CASE
        WHEN lag(band_rank) OVER w IS NULL THEN NULL
        WHEN band_rank > lag(band_rank) OVER w THEN 'escalated'
        WHEN band_rank < lag(band_rank) OVER w THEN 'de-escalated'
        ELSE 'unchanged'
    END AS band_change,
    _source_file AS source_file,
    _load_id AS load_id,
    _source_row AS source_row
FROM banded
WINDOW w AS (PARTITION BY project_id, risk_id ORDER BY as_of_date);
