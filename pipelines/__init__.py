"""Pipelines: sources -> raw -> staging -> marts, plus the `pmo` command line."""
