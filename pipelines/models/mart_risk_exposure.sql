-- one row per project per risk snapshot (as_of_date): exposure = sum of scores of open risks, counts by band
-- (open_band1..4 follow the order of [risk].bands in the config: low, medium, high, critical by default)
CREATE OR REPLACE TABLE mart_risk_exposure AS
SELECT
    project_id,
    as_of_date,
    strftime(as_of_date, '%Y-%m') AS period,
    count(*) AS risks,
    count(*) FILTER (WHERE is_open) AS open_risks,
    CAST(coalesce(sum(score) FILTER (WHERE is_open), 0) AS BIGINT) AS exposure,
    max(score) FILTER (WHERE is_open) AS max_open_score,
    count(*) FILTER (WHERE is_open AND band_rank = 1) AS open_low,
    count(*) FILTER (WHERE is_open AND band_rank = 2) AS open_medium,
    count(*) FILTER (WHERE is_open AND band_rank = 3) AS open_high,
    count(*) FILTER (WHERE is_open AND band_rank = 4) AS open_critical,
    count(*) FILTER (WHERE is_open AND is_escalated) AS open_escalated,
    count(*) FILTER (WHERE is_overdue_mitigation) AS overdue_mitigations,
    count(*) FILTER (WHERE is_new) AS new_risks,
    count(*) FILTER (WHERE band_change = 'escalated') AS escalated_risks,
    count(*) FILTER (WHERE NOT is_open AND previous_status IN (SELECT status FROM cfg_risk_open_status))
        AS closed_since_previous
FROM mart_risk
GROUP BY project_id, as_of_date;
