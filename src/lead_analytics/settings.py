"""Settings every tool reads the same way, so one export folder and one env var is all a user sets."""

from __future__ import annotations

import os
from pathlib import Path

# The dbt project this package serves: dbt_project.yml, seeds/, import_profiles/ (the
# package is installed editable from src/, so this is the checkout it came from)
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DUCKDB_PATH = "warehouse.duckdb"
DEFAULT_SOURCE_TIMEZONE = "Asia/Tokyo"
RAW_SCHEMA = "raw"


def duckdb_path() -> Path:
    """The DuckDB file every tool and the dbt profile use (env var ``DUCKDB_PATH``)."""
    return Path(os.environ.get("DUCKDB_PATH") or DEFAULT_DUCKDB_PATH)


def source_timezone() -> str:
    """Time zone of export timestamps written without an offset (env var ``SOURCE_TIMEZONE``)."""
    return os.environ.get("SOURCE_TIMEZONE") or DEFAULT_SOURCE_TIMEZONE
