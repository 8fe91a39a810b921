"""scripts/benchmark.py end to end at a tiny size: every step runs and is reported.

No timing is asserted (speed is the benchmark's output, not a test): this only
checks that the script still does the whole job and that its JSON adds up.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lead_analytics.dbt_cli import REPO_ROOT

STEPS = [
    "parse",
    "load",
    "models",
    "tests",
    "delta load",
    "incremental",
    "delta tests",
    "no new data",
    "fixed cost",
]


def run_benchmark(tmp_path: Path, leads: int, *extra: str) -> tuple[str, dict]:
    """Run the benchmark once; its stdout and its JSON."""
    report = tmp_path / "benchmark.json"
    completed = subprocess.run(
        [
            sys.executable,
            "scripts/benchmark.py",
            "--leads",
            str(leads),
            "--runs",
            "1",
            "--workdir",
            str(tmp_path / "work"),
            "--json",
            str(report),
            *extra,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return completed.stdout, json.loads(report.read_text(encoding="utf-8"))


def test_benchmark_runs_every_step_and_reports_them(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text(
        "# Performance\n\nintro\n\n<!-- benchmark:start -->\nold\n<!-- benchmark:end -->\n\nafter\n"
    )
    stdout, summary = run_benchmark(tmp_path, 800, "--markdown", str(page))

    assert list(summary["steps"]) == STEPS
    for step, figures in summary["steps"].items():
        assert figures["median_seconds"] > 0, step
        assert figures["peak_rss_gb"] > 0, step
    assert summary["test_failures"] == []
    # the delta is one day of a world whose base export holds every earlier day
    assert summary["delta_kind"] == "changes"
    assert 0 < summary["delta_rows"] < summary["export_rows"]
    assert all(rows > 0 for rows in summary["mart_rows"].values()), summary["mart_rows"]
    steps = summary["steps"]
    full = steps["models"]["median_seconds"]
    assert summary["incremental_share_of_full_build"] == round(
        steps["incremental"]["median_seconds"] / full, 3
    )
    assert summary["no_new_data_share_of_full_build"] == round(
        steps["no new data"]["median_seconds"] / full, 3
    )
    assert summary["fixed_cost_share_of_full_build"] == round(
        steps["fixed cost"]["median_seconds"] / full, 3
    )
    # the time split covers every dbt step but parse, and each has nodes
    assert set(summary["time_split"]) == set(STEPS) - {"parse", "load", "delta load"}
    assert all(split["nodes"] > 0 for split in summary["time_split"].values())
    # --markdown replaced the old table of the page, and kept the rest
    text = page.read_text()
    assert text.startswith("# Performance\n\nintro\n\n<!-- benchmark:start -->\nMeasured ")
    assert text.endswith("<!-- benchmark:end -->\n\nafter\n") and "old" not in text
    for step in STEPS:
        assert f"| {step} | {steps[step]['median_seconds']:.1f} |" in text, step
    # the table names every step
    for step in STEPS:
        assert f"  {step} " in stdout, step


def test_with_full_dump_the_next_day_is_an_export_of_every_row(tmp_path: Path) -> None:
    stdout, summary = run_benchmark(tmp_path, 300, "--full-dump")
    assert summary["delta_kind"] == "full dump"
    # every row of the base export again, and the day's new ones
    assert summary["delta_rows"] > summary["export_rows"]
    assert "full dump of the next day" in stdout
    assert summary["test_failures"] == []
    assert (tmp_path / "work" / "dump_300_42_2026-03-25").is_dir()
