"""A synthetic portfolio at any scale: its raw tables generated with DuckDB SQL (range() and hash()) instead of
ingesting files, then the real `pipelines.build` builds the marts and publishes the snapshot the dashboard reads.
bench/pages, bench/load and bench/pack use it at the SPEC's large scale; tests at a scale where the pages' caps
bite."""

from __future__ import annotations

import time
from pathlib import Path

REPORT_MONTH = "2026-10"  # the synthetic portfolio's last month with actuals

# Raw tables of a synthetic portfolio. $projects, $people, $months, $timesheets are bound; `h(...)` is a
# deterministic pseudo-random number in [0, 1) so every run generates the same warehouse.
SYNTHESIZE = """
CREATE OR REPLACE TEMP MACRO h(a, b) AS (hash(a, b) % 10000) / 10000.0;
CREATE OR REPLACE TEMP MACRO mon(d, n) AS CAST(d + to_months(CAST(n AS INTEGER)) AS DATE);
CREATE OR REPLACE TEMP MACRO day(d, n) AS CAST(d + CAST(n AS INTEGER) AS DATE);
CREATE OR REPLACE TEMP TABLE span AS
SELECT CAST(last_day(CAST($report_month || '-01' AS DATE)) AS DATE) AS report_date,
       mon(CAST($report_month || '-01' AS DATE), 1 - $months) AS first_month;
CREATE OR REPLACE TEMP TABLE plan AS
SELECT i, printf('P%05d', i) AS project_id,
       CAST(mon(first_month, CAST(floor(h(i, 'start') * ($months - 3)) AS INTEGER)) AS DATE) AS start_month,
       6 + CAST(floor(h(i, 'dur') * 24) AS INTEGER) AS months,
       round(50000 + h(i, 'bac') * 2000000, -3) AS monthly_budget
FROM range(1, $projects + 1) AS t(i), span;

INSERT INTO raw_projects BY NAME
SELECT project_id, 'Project ' || i AS project_name, 'Portfolio ' || chr(CAST(65 + i % 5 AS INTEGER)) AS portfolio,
       'Programme ' || (i % 40) AS programme, 'Dept ' || (i % 12) AS department, 'Sponsor ' || (i % 50) AS sponsor,
       'Manager ' || (i % 400) AS manager,
       CASE WHEN last_day(mon(start_month, months - 1)) < report_date THEN 'closing'
            WHEN h(i, 'stage') < 0.1 THEN 'initiation' WHEN h(i, 'stage') < 0.25 THEN 'planning'
            ELSE 'execution' END AS lifecycle_stage,
       CASE WHEN last_day(mon(start_month, months - 1)) < report_date THEN 'closed' ELSE 'active' END AS status,
       ['high', 'medium', 'low'][1 + i % 3] AS priority,
       start_month AS start_date, last_day(mon(start_month, months - 1)) AS planned_finish_date,
       CASE WHEN last_day(mon(start_month, months - 1)) < report_date
            THEN CAST(last_day(mon(start_month, months - 1)) + CAST(floor(h(i, 'late') * 60) AS INTEGER)
                      AS DATE) END AS actual_finish_date,
       monthly_budget * months AS budget_at_completion, 'EUR' AS currency,
       'synthetic-projects' AS _load_id, 'projects.csv' AS _source_file, 'x' AS _file_hash, i AS _source_row
FROM plan, span;

INSERT INTO raw_budgets BY NAME
SELECT project_id, strftime(mon(start_month, m), '%Y-%m') AS period, category AS cost_category,
       monthly_budget / 2 AS planned_cost,
       CASE WHEN mon(start_month, m) <= report_date
            THEN round(monthly_budget / 2 * (0.85 + 0.4 * h(i, m || category)), 2) END AS actual_cost,
       'synthetic-budgets' AS _load_id, 'budgets.csv' AS _source_file, 'x' AS _file_hash,
       row_number() OVER () AS _source_row
FROM plan, span, range(0, 36) AS r(m), (VALUES ('labour'), ('materials')) AS c(category)
WHERE m < months;

INSERT INTO raw_status BY NAME
SELECT project_id, CAST(last_day(mon(start_month, m)) - CAST(floor(h(i, m) * 5) AS INTEGER) AS DATE)
           AS report_date,
       least(100, round(100.0 * (m + 1) / months * (0.8 + 0.3 * h(i, 'pace')), 1)) AS percent_complete,
       ['green', 'amber', 'red'][1 + CAST(floor(h(i, m || 'rag') * 2.4) AS INTEGER)] AS overall_rag,
       last_day(mon(start_month, months - 1)) AS forecast_finish_date,
       'Month ' || (m + 1) || ' of ' || months || ': on track with minor issues.' AS summary,
       'Manager ' || (i % 400) AS reported_by,
       CAST(last_day(mon(start_month, m)) - CAST(floor(h(i, m) * 5) AS INTEGER) AS DATE) AS as_of_date,
       'synthetic-status' AS _load_id, 'status.csv' AS _source_file, 'x' AS _file_hash,
       row_number() OVER () AS _source_row
FROM plan, span, range(0, 36) AS r(m)
WHERE m < months AND mon(start_month, m) <= report_date;

INSERT INTO raw_milestones BY NAME
SELECT project_id, 'M' || k AS milestone_id, 'Milestone ' || k AS milestone_name,
       CAST(mon(start_month, CAST(months * k / 4 AS INTEGER)) - 1 AS DATE) AS baseline_date,
       CAST(mon(start_month, CAST(months * k / 4 AS INTEGER)) - 1
            + CAST(floor(h(i, k) * 20 * (6 - s)) AS INTEGER) AS DATE) AS forecast_date,
       NULL AS actual_date, k = 4 AS is_gate, last_day(mon(report_date, -(s))) AS as_of_date,
       'synthetic-milestones' AS _load_id, 'milestones.csv' AS _source_file, 'x' AS _file_hash,
       row_number() OVER () AS _source_row
FROM plan, span, range(1, 5) AS r(k), range(0, 6) AS q(s)
WHERE start_month <= last_day(mon(report_date, -(s)));

INSERT INTO raw_risks BY NAME
SELECT 'R' || i || '-' || k AS risk_id, project_id, 'Risk ' || k || ' of project ' || i AS title,
       1 + CAST(floor(h(i, k || 'p' || s) * 5) AS INTEGER) AS probability,
       1 + CAST(floor(h(i, k || 'i') * 5) AS INTEGER) AS impact,
       CASE WHEN h(i, k || 's' || s) < 0.2 THEN 'closed' WHEN h(i, k || 's' || s) < 0.5 THEN 'mitigating'
            ELSE 'open' END AS status,
       ['technical', 'commercial', 'resource'][1 + k % 3] AS category, 'Owner ' || (i % 300) AS owner,
       start_month AS raised_date, day(report_date, h(i, k) * 90 - 30) AS due_date,
       NULL AS closed_date, 'Mitigate early' AS mitigation, last_day(mon(report_date, -(s))) AS as_of_date,
       'synthetic-risks' AS _load_id, 'risks.csv' AS _source_file, 'x' AS _file_hash,
       row_number() OVER () AS _source_row
FROM plan, span, range(1, 7) AS r(k), range(0, 6) AS q(s)
WHERE start_month <= last_day(mon(report_date, -(s)));

INSERT INTO raw_people BY NAME
SELECT printf('E%06d', i) AS employee_id, 'Person ' || i AS name, 'Team ' || (i % 200) AS team,
       ['engineer', 'analyst', 'lead'][1 + i % 3] AS role, 'Dept ' || (i % 12) AS department,
       40 AS weekly_capacity_hours, 60 + i % 60 AS hourly_cost_rate, NULL AS start_date, NULL AS end_date,
       'synthetic-people' AS _load_id, 'people.csv' AS _source_file, 'x' AS _file_hash, i AS _source_row
FROM range(1, $people + 1) AS t(i);

-- person r % people works (r // people) * 5 + r % 5 days before the report date, on one project per 20
-- entries: unique per grain, and the most recent weeks (the ones the Resources page shows) are covered
INSERT INTO raw_timesheets BY NAME
SELECT printf('E%06d', 1 + r % $people) AS employee_id,
       printf('P%05d', 1 + hash(r % $people, (r // $people) // 20) % $projects) AS project_id,
       CAST(report_date - CAST(((r // $people) * 5 + r % 5) % ($months * 30) AS INTEGER) AS DATE) AS work_date,
       4 + (hash(r) % 5) AS hours, 'delivery' AS activity, hash(r, 'b') % 3 > 0 AS billable,
       'synthetic-timesheets' AS _load_id, 'timesheets.csv' AS _source_file, 'x' AS _file_hash, r + 1 AS _source_row
FROM range(0, $timesheets) AS t(r), span;

INSERT INTO raw_changes BY NAME
SELECT 'CR' || i || '-' || k AS change_id, project_id, 'Change ' || k AS title, 'scope' AS change_type,
       day(start_month, 30 * k) AS submitted_date,
       ['approved', 'rejected', 'pending'][1 + k % 3] AS decision,
       CASE WHEN k % 3 < 2 THEN day(start_month, 30 * k + 14) END AS decision_date,
       round(h(i, k) * 50000, -2) AS cost_impact, k * 5 AS schedule_impact_days,
       'synthetic-changes' AS _load_id, 'changes.csv' AS _source_file, 'x' AS _file_hash,
       row_number() OVER () AS _source_row
FROM plan, range(1, 4) AS r(k);

INSERT INTO raw_issues BY NAME
SELECT 'I' || i || '-' || k AS item_id, project_id, ['issue', 'action', 'decision'][1 + k % 3] AS kind,
       'Item ' || k AS title, ['open', 'in_progress', 'closed'][1 + (i + k) % 3] AS status,
       day(start_month, 20 * k) AS raised_date, 'Owner ' || (i % 300) AS owner,
       day(start_month, 20 * k + 30) AS due_date, NULL AS closed_date,
       'synthetic-issues' AS _load_id, 'issues.csv' AS _source_file, 'x' AS _file_hash,
       row_number() OVER () AS _source_row
FROM plan, range(1, 6) AS r(k);

INSERT INTO raw_quality BY NAME
SELECT 'Q' || i || '-' || k AS check_id, project_id,
       least(report_date, day(start_month, 45 * k)) AS check_date, 'review' AS check_type,
       CASE WHEN h(i, k) < 0.7 THEN 'pass' WHEN h(i, k) < 0.85 THEN 'conditional' ELSE 'fail' END AS result,
       CAST(h(i, k || 'o') * 10 AS INTEGER) AS defects_open, CAST(h(i, k || 'c') * 10 AS INTEGER) AS defects_closed,
       'synthetic-quality' AS _load_id, 'quality.csv' AS _source_file, 'x' AS _file_hash,
       row_number() OVER () AS _source_row
FROM plan, span, range(1, 5) AS r(k);

INSERT INTO raw_documents BY NAME
SELECT project_id, doc AS document_type, doc || ' of project ' || i AS title, '1.0' AS version,
       'Manager ' || (i % 400) AS owner, day(start_month, 10) AS last_updated,
       'approved' AS approval_status,
       'synthetic-documents' AS _load_id, 'documents.csv' AS _source_file, 'x' AS _file_hash,
       row_number() OVER () AS _source_row
FROM plan, (VALUES ('business_case'), ('charter'), ('project_plan'), ('risk_register')) AS d(doc)
WHERE h(i, doc) < 0.85;

INSERT INTO raw_lessons BY NAME
SELECT 'L' || i AS lesson_id, project_id, CAST(mon(start_month, months) AS DATE) AS recorded_date,
       'delivery' AS category, 'Plan integration testing earlier.' AS description,
       'Book test environments at kick-off.' AS recommendation,
       'synthetic-lessons' AS _load_id, 'lessons.csv' AS _source_file, 'x' AS _file_hash,
       row_number() OVER () AS _source_row
FROM plan, span
WHERE last_day(mon(start_month, months - 1)) < report_date;

INSERT INTO load_log
SELECT 'synthetic-' || source, source, source || '.csv', 'x', NULL, now(), 'loaded', NULL, NULL, 0,
       'synthesized (tests/synthetic_portfolio.py)'
FROM (VALUES ('projects'), ('people'), ('timesheets'), ('budgets'), ('status'), ('milestones'), ('risks'),
             ('changes'), ('issues'), ('quality'), ('documents'), ('lessons')) AS s(source);
"""


def synthesize(db: Path, *, projects: int, people: int, months: int, timesheets: int) -> float:
    """Generate the raw tables at the given scale into the warehouse `db`, build the marts and publish; return seconds
    taken."""
    from pipelines import warehouse
    from pipelines.ingest import rebuild

    started = time.perf_counter()
    with warehouse.connect(db) as con:
        params = {"projects": projects, "people": people, "months": months, "timesheets": timesheets,
                  "report_month": REPORT_MONTH}
        for statement in filter(str.strip, SYNTHESIZE.split(";\n")):
            con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
    rebuild(db)
    return time.perf_counter() - started
