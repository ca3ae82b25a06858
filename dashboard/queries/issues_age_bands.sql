-- one row per RAID age band the marts were built with ([issues] age_band_days), youngest first
SELECT band, band_rank, min_days, max_days FROM cfg_issue_age_band ORDER BY band_rank
