"""Run the dbt CLI of this project's environment from the repo root."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lead_analytics.settings import REPO_ROOT

__all__ = ["REPO_ROOT", "dbt_executable", "run_dbt", "run_dbt_step"]


def dbt_executable() -> str:
    """The dbt next to the running Python (the project's .venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise FileNotFoundError("dbt is not installed: run `make setup` first")
    return found


def _dbt_env(duckdb_path: Path | None, extra_env: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    if duckdb_path is not None:
        env["DUCKDB_PATH"] = str(Path(duckdb_path).resolve())
    env.setdefault("DBT_PROFILES_DIR", str(REPO_ROOT))
    env.setdefault("DBT_PROJECT_DIR", str(REPO_ROOT))
    env.update(extra_env or {})
    return env


def run_dbt(
    args: list[str],
    *,
    duckdb_path: Path | None = None,
    extra_env: dict[str, str] | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` in the project; the DuckDB file comes from DUCKDB_PATH."""
    return subprocess.run(
        [dbt_executable(), *args],
        cwd=REPO_ROOT,
        env=_dbt_env(duckdb_path, extra_env),
        text=True,
        capture_output=capture,
        check=False,
    )


# dbt prints this before a fatal error's message and tracebacks
FATAL_MARKER = "Encountered an error:"
_LOCK = re.compile(
    r"Could not set lock on file \"(?P<file>[^\"]+)\": "
    r"Conflicting lock is held in (?P<holder>.+?)(?:\. See also|$)"
)
_IO_ERROR = re.compile(r"IO Error: (?P<message>.+?)(?:\. See also|$)")


def explain_dbt_failure(lines: list[str]) -> str | None:
    """One line for the warehouse errors a user can fix (a lock held by another program,
    a file that cannot be read or written) found in dbt's output; None for other errors."""
    for line in lines:
        if match := _LOCK.search(line):
            return (
                f"the warehouse {match['file']} is locked by {match['holder'].strip()}: close "
                "that program (a notebook, a SQL client, another dbt or loader run) and run "
                "again"
            )
    for line in lines:
        if match := _IO_ERROR.search(line):
            return f"dbt cannot use the warehouse: {match['message'].strip()}"
    return None


def run_dbt_step(args: list[str], *, duckdb_path: Path | None = None) -> int:
    """Run `dbt <args>` showing its progress; a fatal warehouse error (lock, I/O) is told in
    one line (exit code 2) instead of dbt's tracebacks. Other failures print dbt's output
    whole. Returns the exit code."""
    env = _dbt_env(duckdb_path, None)
    held: list[str] = []
    with subprocess.Popen(
        [dbt_executable(), *args],
        cwd=REPO_ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if held or FATAL_MARKER in line:
                held.append(line)
            else:
                sys.stdout.write(line)
                sys.stdout.flush()
        code = process.wait()
    if code != 0 and (explained := explain_dbt_failure(held)):
        print(f"error: {explained}", file=sys.stderr)
        return 2
    sys.stdout.write("".join(held))
    return code
