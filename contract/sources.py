"""The twelve canonical sources of SPEC section 3: columns, types, grain, header aliases.

This module is the contract between readers, the quality gate, the loader and the marts.
Raw tables are named `raw_<source>` and hold the canonical columns below plus LINEAGE_COLUMNS.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# DuckDB types used by canonical columns. Amounts are exact decimals, so a sum does not depend on the order
# DuckDB's threads add in and the same inputs always give the same marts: MONEY to the cent, every other
# quantity (hours, percent, days) to 1/10,000 (a value with more decimals is rounded half away from zero).
TEXT, DATE, INTEGER, BOOLEAN = "VARCHAR", "DATE", "INTEGER", "BOOLEAN"
MONEY, NUMBER = "DECIMAL(18,2)", "DECIMAL(18,4)"
NUMERIC_TYPES = (MONEY, NUMBER)
# How messages name a type to people.
TYPE_WORDS = {MONEY: "an amount", NUMBER: "a number", INTEGER: "a whole number", DATE: "a date",
              BOOLEAN: "yes or no", TEXT: "text"}

# Every raw row carries where it came from.
LINEAGE_COLUMNS: dict[str, str] = {
    "_load_id": TEXT,  # the load (one file) that wrote the row
    "_source_file": TEXT,  # file name as the user gave it
    "_file_hash": TEXT,  # sha256 of the file's bytes
    "_source_row": "BIGINT",  # 1-based data row in the file (header excluded)
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()  # closed vocabulary (lower-case), empty = any
    defaulted: bool = False  # required in the header, but a blank cell takes pmo.toml's default (a warning)


@dataclass(frozen=True)
class Source:
    name: str
    grain: tuple[str, ...]
    columns: tuple[Column, ...]
    snapshot: bool = False  # keeps history per as_of_date
    description: str = ""
    references: dict[str, str] = field(default_factory=dict)  # column -> referenced source
    # grain column -> the SQL macro (pipelines/models/_macros.sql) that normalises its values before staging
    # compares them, so 'Business Case' and 'business case' are one document; others compare as written
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def table(self) -> str:
        return f"raw_{self.name}"

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def C(name: str, type_: str = TEXT, *aliases: str, required: bool = False, allowed: tuple[str, ...] = ()) -> Column:
    return Column(name, type_, required, aliases, allowed)


def R(name: str, type_: str = TEXT, *aliases: str, allowed: tuple[str, ...] = (), defaulted: bool = False) -> Column:
    return Column(name, type_, True, aliases, allowed, defaulted)


_PROJECT_ID = R("project_id", TEXT, "project", "project code", "project no", "project number", "proj id",
                "项目编号", "项目ID", "项目代码", "项目号")
_EMPLOYEE_ID = R("employee_id", TEXT, "employee", "emp id", "staff id", "person id", "resource id", "user id",
                 "员工编号", "工号", "员工ID", "人员编号")
_AS_OF = C("as_of_date", DATE, "as of", "snapshot date", "data date", "截至日期", "快照日期")

SOURCES: dict[str, Source] = {s.name: s for s in [
    Source("projects", ("project_id",), (
        _PROJECT_ID,
        R("project_name", TEXT, "name", "project title", "title", "项目名称"),
        C("portfolio", TEXT, "项目组合"),
        C("programme", TEXT, "program", "项目群"),
        C("department", TEXT, "dept", "division", "部门"),
        C("sponsor", TEXT, "发起人"),
        C("manager", TEXT, "project manager", "pm", "项目经理"),
        C("lifecycle_stage", TEXT, "stage", "phase", "阶段", "生命周期阶段"),
        C("status", TEXT, "project status", "状态", allowed=("active", "on_hold", "closed", "cancelled")),
        C("priority", TEXT, "优先级"),
        R("start_date", DATE, "start", "baseline start", "开始日期"),
        R("planned_finish_date", DATE, "planned finish", "finish", "end date", "计划完成日期", "计划结束日期"),
        C("actual_finish_date", DATE, "actual finish", "实际完成日期"),
        R("budget_at_completion", MONEY, "bac", "budget", "total budget", "预算", "总预算"),
        C("currency", TEXT, "币种"),
    ), description="one row per project"),
    Source("people", ("employee_id",), (
        _EMPLOYEE_ID,
        C("name", TEXT, "employee name", "full name", "姓名"),
        C("team", TEXT, "团队", "小组"),
        C("role", TEXT, "角色", "岗位"),
        C("department", TEXT, "dept", "部门"),
        R("weekly_capacity_hours", NUMBER, "capacity", "weekly capacity", "hours per week", "周工时", "每周工时",
          defaulted=True),  # blank: [utilisation] default_weekly_capacity_hours
        C("hourly_cost_rate", MONEY, "rate", "cost rate", "hourly rate", "小时费率"),
        C("start_date", DATE, "join date", "hire date", "入职日期"),
        C("end_date", DATE, "leave date", "termination date", "离职日期"),
    ), description="one row per person"),
    Source("timesheets", ("employee_id", "project_id", "work_date", "activity"), (
        _EMPLOYEE_ID,
        _PROJECT_ID,
        R("work_date", DATE, "date", "day", "工作日期", "日期"),
        R("hours", NUMBER, "hours worked", "effort", "工时", "小时", "工时(小时)"),
        C("activity", TEXT, "task", "activity type", "活动", "任务"),
        C("billable", BOOLEAN, "is billable", "可计费", "是否计费"),
    ), references={"project_id": "projects", "employee_id": "people"},
        description="one row per person, project, day, activity"),
    Source("budgets", ("project_id", "period", "cost_category"), (
        _PROJECT_ID,
        R("period", TEXT, "month", "期间", "月份"),
        C("cost_category", TEXT, "category", "cost type", "费用类别"),
        R("planned_cost", MONEY, "plan", "planned", "budget", "计划成本", "预算金额"),
        C("actual_cost", MONEY, "actual", "actuals", "实际成本"),
    ), references={"project_id": "projects"}, keys={"period": "period_month", "cost_category": "category_key"},
        description="one row per project, month, cost category"),
    Source("status", ("project_id", "report_date"), (
        _PROJECT_ID,
        R("report_date", DATE, "reporting date", "status date", "报告日期"),
        R("percent_complete", NUMBER, "% complete", "pct complete", "progress", "完成百分比", "进度"),
        C("overall_rag", TEXT, "rag", "overall status", "总体状态"),
        C("schedule_rag", TEXT, "进度状态"),
        C("cost_rag", TEXT, "成本状态"),
        C("scope_rag", TEXT, "范围状态"),
        C("forecast_finish_date", DATE, "forecast finish", "预测完成日期"),
        C("summary", TEXT, "commentary", "comments", "摘要", "说明"),
        C("reported_by", TEXT, "author", "报告人"),
        _AS_OF,
    ), snapshot=True, references={"project_id": "projects"}, description="one row per project per report"),
    Source("milestones", ("project_id", "milestone_id", "as_of_date"), (
        _PROJECT_ID,
        R("milestone_id", TEXT, "milestone", "milestone code", "里程碑编号"),
        R("milestone_name", TEXT, "milestone title", "里程碑名称"),
        R("baseline_date", DATE, "baseline", "baseline finish", "基线日期"),
        C("forecast_date", DATE, "forecast", "forecast finish", "预测日期"),
        C("actual_date", DATE, "actual", "actual finish", "实际日期"),
        C("is_gate", BOOLEAN, "gate", "是否关口"),
        _AS_OF,
        # True on the rows of a schedule loaded with `pmo ingest --baseline`: later updates of the same
        # project take each milestone's baseline_date from the latest such snapshot (pipelines/formats).
        C("is_baseline", BOOLEAN, "baseline snapshot", "是否基线"),
    ), snapshot=True, references={"project_id": "projects"},
        description="one row per milestone per snapshot"),
    Source("risks", ("project_id", "risk_id", "as_of_date"), (
        R("risk_id", TEXT, "risk", "risk no", "风险编号"),
        _PROJECT_ID,
        R("title", TEXT, "risk title", "description", "风险名称", "标题"),
        R("probability", INTEGER, "likelihood", "prob", "可能性", "概率"),
        R("impact", INTEGER, "severity", "影响"),
        R("status", TEXT, "risk status", "状态", allowed=("open", "mitigating", "closed", "materialised")),
        C("category", TEXT, "类别"),
        C("owner", TEXT, "risk owner", "负责人"),
        C("raised_date", DATE, "raised", "date raised", "提出日期"),
        C("due_date", DATE, "mitigation due", "due", "到期日"),
        C("closed_date", DATE, "closed", "关闭日期"),
        C("mitigation", TEXT, "response", "应对措施"),
        _AS_OF,
    ), snapshot=True, references={"project_id": "projects"}, description="one row per risk per snapshot"),
    Source("changes", ("project_id", "change_id"), (
        R("change_id", TEXT, "cr id", "change request", "cr", "变更编号"),
        _PROJECT_ID,
        R("title", TEXT, "change title", "标题"),
        R("change_type", TEXT, "type", "变更类型"),
        R("submitted_date", DATE, "submitted", "提交日期"),
        R("decision", TEXT, "outcome", "决定", allowed=("pending", "approved", "rejected", "withdrawn")),
        C("decision_date", DATE, "decided", "决定日期"),
        C("cost_impact", MONEY, "cost delta", "成本影响"),
        C("schedule_impact_days", NUMBER, "schedule impact", "schedule delta days", "工期影响天数"),
    ), references={"project_id": "projects"}, description="one row per change request"),
    Source("issues", ("project_id", "item_id"), (
        R("item_id", TEXT, "id", "raid id", "事项编号"),
        _PROJECT_ID,
        R("kind", TEXT, "type", "raid type", "类型", allowed=("issue", "action", "decision")),
        R("title", TEXT, "description", "标题"),
        R("status", TEXT, "状态", allowed=("open", "in_progress", "closed")),
        R("raised_date", DATE, "raised", "提出日期"),
        C("owner", TEXT, "负责人"),
        C("due_date", DATE, "due", "到期日"),
        C("closed_date", DATE, "closed", "关闭日期"),
    ), references={"project_id": "projects"}, description="one row per RAID issue/action/decision"),
    Source("quality", ("check_id",), (
        R("check_id", TEXT, "check", "检查编号"),
        _PROJECT_ID,
        R("check_date", DATE, "date", "检查日期"),
        R("check_type", TEXT, "type", "检查类型"),
        R("result", TEXT, "outcome", "结果", allowed=("pass", "fail", "conditional")),
        C("defects_open", INTEGER, "open defects", "未关闭缺陷"),
        C("defects_closed", INTEGER, "closed defects", "已关闭缺陷"),
    ), references={"project_id": "projects"}, description="one row per quality check"),
    Source("documents", ("project_id", "document_type", "title"), (
        _PROJECT_ID,
        R("document_type", TEXT, "doc type", "type", "文档类型"),
        R("title", TEXT, "document", "document title", "文档名称"),
        C("version", TEXT, "版本"),
        C("owner", TEXT, "负责人"),
        C("last_updated", DATE, "updated", "modified", "更新日期"),
        C("approval_status", TEXT, "approval", "审批状态"),
    ), references={"project_id": "projects"}, keys={"document_type": "norm_key"},
        description="one row per document"),
    Source("lessons", ("lesson_id",), (
        R("lesson_id", TEXT, "lesson", "经验编号"),
        _PROJECT_ID,
        R("recorded_date", DATE, "date", "记录日期"),
        R("category", TEXT, "类别"),
        R("description", TEXT, "lesson learned", "描述"),
        C("recommendation", TEXT, "建议"),
    ), references={"project_id": "projects"}, description="one row per lesson"),
]}

# Load order when a folder holds several sources: referenced sources first.
LOAD_ORDER: tuple[str, ...] = ("projects", "people", "budgets", "status", "milestones", "risks", "timesheets",
                               "changes", "issues", "quality", "documents", "lessons")


def normalise_header(text: str) -> str:
    """Case, spaces and punctuation ignored: 'Project ID' == 'project_id' == 'projectid'; CJK kept."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"[\W_]+", "", text)


def dedupe_headers(names: list[str]) -> list[str]:
    """A file's headers as column names: blank ones become column_<n>; repeats (case-insensitive, as in SQL) get
    _2, _3 ..."""
    out: list[str] = []
    seen = {"_source_row"}
    for i, raw in enumerate(names, start=1):
        base = raw.strip() or f"column_{i}"
        name, n = base, 1
        while name.lower() in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name.lower())
        out.append(name)
    return out


def alias_index(source: Source, extra: dict[str, str] | None = None) -> dict[str, str]:
    """normalised header -> canonical column, for one source (canonical names, built-in aliases, user map)."""
    index: dict[str, str] = {}
    for col in source.columns:
        for label in (col.name, *col.aliases):
            index.setdefault(normalise_header(label), col.name)
    for label, canonical in (extra or {}).items():
        index[normalise_header(label)] = canonical
    return index
