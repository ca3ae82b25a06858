-- one row per health driver the marts were built with (cfg_health_driver): input, weight, scale, required
SELECT driver, input, weight, full_at, zero_at, required FROM cfg_health_driver ORDER BY weight DESC, driver
