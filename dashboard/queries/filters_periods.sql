-- one row per month the month selector offers, newest first: every month with figures up to the report month
SELECT period FROM mart_evm WHERE NOT is_future
UNION
SELECT as_of_period FROM dim_report_date
ORDER BY period DESC
