"""Shared fixtures: build the dbt project on an export folder into a temporary DuckDB file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from lead_analytics.dbt_cli import REPO_ROOT, run_dbt
from lead_analytics.loader.core import load_folder

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "exports"


class BuildFailed(AssertionError):
    pass


def build_warehouse(
    exports: Path,
    work_dir: Path,
    *,
    dbt_vars: dict | None = None,
    name: str = "warehouse",
    profile: str | None = None,
) -> Path:
    """Load `exports` (with the import `profile`, if any) into a fresh DuckDB file in
    `work_dir`, then `dbt build` it.

    dbt's target and log folders go to `work_dir` too, so tests never touch the
    project's own target/ (the user's docs) and can run after one another freely.
    """
    database = work_dir / f"{name}.duckdb"
    results = load_folder(exports, database, quiet=True, profile=profile)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise BuildFailed(f"load failed: {failed}")
    args = ["build", "--quiet"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    completed = run_dbt(
        args,
        duckdb_path=database,
        extra_env={
            "DBT_TARGET_PATH": str(work_dir / "target"),
            "DBT_LOG_PATH": str(work_dir / "logs"),
        },
        capture=True,
    )
    if completed.returncode != 0:
        raise BuildFailed(
            f"dbt build failed:\n{completed.stdout[-6000:]}\n{completed.stderr[-3000:]}"
        )
    return database


@pytest.fixture(scope="session")
def build() -> Callable[..., Path]:
    return build_warehouse


@pytest.fixture(scope="session")
def handmade_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made export set, built with the default as_of (latest timestamp in the data)."""
    return build_warehouse(FIXTURES / "handmade", tmp_path_factory.mktemp("handmade"))


def query(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()
