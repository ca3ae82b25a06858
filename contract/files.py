"""The file types a load accepts, by suffix: tables (text, Excel, Parquet) and schedules (Primavera P6 XER,
MS Project XML)."""

TEXT_FILES = {".csv", ".tsv", ".txt"}
EXCEL_FILES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_FILES = {".parquet", ".pq"}
TABLE_FILES = TEXT_FILES | EXCEL_FILES | PARQUET_FILES
SCHEDULE_FILES = {".xer", ".xml"}
ACCEPTED = TABLE_FILES | SCHEDULE_FILES
