-- one row per configured risk band, lowest first: (min_score_exclusive, max_score], escalated flag
SELECT band, band_rank, min_score_exclusive, max_score, is_escalated FROM cfg_risk_band ORDER BY band_rank
