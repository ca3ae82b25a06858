-- one row per scalar setting the marts were built with (cfg_setting: key, text value, numeric value); the
-- analysis pages read their thresholds here so charts agree with the marts of the same snapshot
SELECT key, value, num FROM cfg_setting ORDER BY key
