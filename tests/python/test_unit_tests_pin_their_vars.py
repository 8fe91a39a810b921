"""The dbt unit tests hold whatever rules a team sets.

A unit test's expected rows follow from the vars it was written for (a 30-day
ignore window, a 14-day next-action window, ...). A team that sets its own
rules (`dbt build --vars '{ignore_window_days: 7}'`, or a new default in
dbt_project.yml) must not see `dbt build` fail on a unit test and skip every
mart after it: each unit test pins the vars it depends on (`overrides: vars:`),
and this test builds the hand-made exports with every var set to another
value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml
from conftest import FIXTURES

from lead_analytics.dbt_cli import REPO_ROOT

# Every var of dbt_project.yml, set to a value other than its default.
OTHER_VALUES = {
    "business_timezone": "America/New_York",
    "holiday_country": "US",
    "calendar_start_date": "2016-01-01",
    "calendar_end_date": "2035-01-01",
    "sales_roles": ["ae", "manager"],
    "sales_touch_activity_types": ["call", "meeting"],
    "meeting_activity_types": ["meeting"],
    "ignore_window_days": 7,
    "score_decay_after_days": 20,
    "score_decay_points": 5,
    "score_reset_after_days": 60,
    "hot_score_threshold": 80,
    "warm_score_threshold": 30,
    "fast_track_window_days": 14,
    "mql_score_threshold": 50,
    "what_if_mql_score_threshold": 70,
    "effective_call_seconds": 60,
    "min_attempts_before_disqualify": 5,
    "connected_call_outcomes": ["connected"],
    "next_action_window_days": 7,
    "next_action_event_types": ["demo_request"],
    "revenue_target": 200_000_000,
    "plan_trailing_months": 6,
    "textbook_average_won_amount": 4_000_000,
    "textbook_win_rate": 0.25,
    "textbook_lead_to_opportunity_rate": 0.1,
    "pii_salt": "another-salt",
    "incremental_lookback_days": 1,
}
# as_of is an input of every unit test (the model int_as_of), never a var there.
NOT_RULES = {"as_of"}


def test_every_var_of_the_project_has_another_value_here() -> None:
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    assert set(project["vars"]) - NOT_RULES == set(OTHER_VALUES)
    for name, value in OTHER_VALUES.items():
        assert value != project["vars"][name], name


def test_a_build_with_every_var_changed_passes_its_unit_tests(
    build: Callable[..., Path], tmp_path: Path
) -> None:
    # dbt build runs the unit tests before each model: a failing one would
    # skip the model and everything built on it
    build(FIXTURES / "handmade", tmp_path, dbt_vars=OTHER_VALUES)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    # every unit test of the project ran, and passed
    unit_tests = {
        r["unique_id"]: r["status"]
        for r in results["results"]
        if r["unique_id"].startswith("unit_test.")
    }
    assert set(unit_tests) == set(manifest["unit_tests"]), set(manifest["unit_tests"]) - set(
        unit_tests
    )
    assert len(unit_tests) >= 18 and set(unit_tests.values()) == {"pass"}, unit_tests
    models = [r for r in results["results"] if r["unique_id"].startswith("model.")]
    assert len(models) >= 44 and all(r["status"] == "success" for r in models)
