"""A malformed rule seed fails `dbt seed` with a message naming the file, the line and the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lead_analytics.dbt_cli import REPO_ROOT, run_dbt

PROJECT_PARTS = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "seeds",
    "tests/dbt",
    "analyses",
    "snapshots",
)


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the dbt project whose seeds a test may break without touching the repo."""
    root = tmp_path_factory.mktemp("project")
    for part in PROJECT_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.exists():
            (root / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / part)
    return root


def seed_with(project: Path, seed_path: str, extra_rows: list[str]) -> tuple[int, str]:
    """Append rows to a seed of the copy, run `dbt seed` for it, restore the file."""
    seed_file = project / seed_path
    original = seed_file.read_text(encoding="utf-8")
    try:
        seed_file.write_text(original + "".join(row + "\n" for row in extra_rows), encoding="utf-8")
        completed = run_dbt(
            ["seed", "--select", seed_file.stem, "--project-dir", str(project)],
            duckdb_path=project / "validation.duckdb",
            extra_env={
                "DBT_TARGET_PATH": str(project / "target"),
                "DBT_LOG_PATH": str(project / "logs"),
            },
            capture=True,
        )
    finally:
        seed_file.write_text(original, encoding="utf-8")
    return completed.returncode, completed.stdout + completed.stderr


def data_lines(project: Path, seed_path: str) -> int:
    return len((project / seed_path).read_text(encoding="utf-8").splitlines())


def test_the_shipped_seeds_are_valid(project_copy):
    completed = run_dbt(
        ["seed", "--project-dir", str(project_copy)],
        duckdb_path=project_copy / "validation.duckdb",
        extra_env={
            "DBT_TARGET_PATH": str(project_copy / "target"),
            "DBT_LOG_PATH": str(project_copy / "logs"),
        },
        capture=True,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]


@pytest.mark.parametrize(
    ("seed_path", "bad_row", "reason"),
    [
        (
            "seeds/rules/sla_policies.csv",
            "slow_touch,not_hot,handoff,first_sales_touch,-2,x",
            "target_business_hours must be a number >= 0",
        ),
        (
            "seeds/rules/sla_policies.csv",
            "second_mql_touch,not_hot,handoff,first_sales_touch,8,x",
            "overlapping first-touch policies",
        ),
        (
            "seeds/rules/sla_policies.csv",
            "odd,reached_sql,first_sql_entry,phone_call,8,x",
            "stop_event must be one of",
        ),
        ("seeds/rules/lifecycle_stages.csv", "prospect,7,false,x", "stage must be one of"),
        ("seeds/mappings/map_user_roles.csv", "Closer,closer", "role must be one of"),
        ("seeds/mappings/map_lead_statuses.csv", "ＭＱＬ,mql", "raw_label appears twice"),
        ("seeds/calendar/business_hours.csv", "6,18:00,09:00", "opens_at must be before closes_at"),
        ("seeds/rules/company_size_bands.csv", "big,900,5000", "overlaps another band"),
        (
            "seeds/scoring/scoring_behaviour_rules.csv",
            "bogus,page_click,,5,false,x",
            "event_type must be a canonical event type",
        ),
        (
            "seeds/scoring/scoring_behaviour_rules.csv",
            "pricing_page,page_view,%/price%,5,false,x",
            "rule_name is used twice",
        ),
        (
            "seeds/scoring/scoring_attribute_rules.csv",
            "ceo,job_level,ceo,,,5,x",
            "a job_level rule needs match_value",
        ),
        ("seeds/scoring/score_bands.csv", "50-69,50,69", "overlaps another band"),
    ],
)
def test_a_malformed_row_fails_with_file_line_and_reason(project_copy, seed_path, bad_row, reason):
    line = data_lines(project_copy, seed_path) + 1  # the appended row's line in the CSV
    code, output = seed_with(project_copy, seed_path, [bad_row])
    assert code != 0
    assert f"{seed_path} line {line}" in output
    assert reason in output
