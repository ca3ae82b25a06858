"""The quality gate (SPEC section 4): great-expectations suites per source, run inside DuckDB.

`from checks import run_gate` costs nothing extra: great_expectations is imported on first use.
"""

from checks.gate import CheckResult, GateReport, run_gate

__all__ = ["CheckResult", "GateReport", "run_gate"]
