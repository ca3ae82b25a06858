-- one row per health driver (cost, schedule, risk, quality, freshness): its weight and the input it scores
SELECT driver, input, weight, full_at, zero_at FROM cfg_health_driver ORDER BY weight DESC, driver
