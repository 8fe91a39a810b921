"""Run the dbt CLI of this project's environment from the repo root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def dbt_executable() -> str:
    """The dbt next to the running Python (the project's .venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise FileNotFoundError("dbt is not installed: run `make setup` first")
    return found


def run_dbt(
    args: list[str],
    *,
    duckdb_path: Path | None = None,
    extra_env: dict[str, str] | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` in the project; the DuckDB file comes from DUCKDB_PATH."""
    env = dict(os.environ)
    if duckdb_path is not None:
        env["DUCKDB_PATH"] = str(Path(duckdb_path).resolve())
    env.setdefault("DBT_PROFILES_DIR", str(REPO_ROOT))
    env.setdefault("DBT_PROJECT_DIR", str(REPO_ROOT))
    env.update(extra_env or {})
    return subprocess.run(
        [dbt_executable(), *args],
        cwd=REPO_ROOT,
        env=env,
        text=True,
        capture_output=capture,
        check=False,
    )
