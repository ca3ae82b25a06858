-- one row per filtered project: the group it belongs to at $level (portfolio / programme / department /
-- manager / lifecycle_stage / total), mapped with CASE (no identifier is ever built from input)
SELECT
    p.project_id,
    p.bac AS plan_bac,
    p.currency,
    coalesce(CASE $level
        WHEN 'portfolio' THEN p.portfolio
        WHEN 'programme' THEN p.programme
        WHEN 'department' THEN p.department
        WHEN 'manager' THEN p.manager
        WHEN 'lifecycle_stage' THEN p.lifecycle_stage
        WHEN 'total' THEN 'All projects'
        ELSE error('unknown level (portfolio, programme, department, manager, lifecycle_stage or total)')
    END, '(none)') AS group_name
FROM filtered_projects AS p
