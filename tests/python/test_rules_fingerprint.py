"""The rules digest of the incremental models covers every rule seed and var.

An incremental build recomputes everything when the digest of the rule seeds
and vars changed (macros/incremental/rules_fingerprint.sql); a seed or var
missing from it would be silently ignored by incremental builds. Checked
statically here; tests/python/test_incremental_build.py checks the behaviour.
"""

from __future__ import annotations

import re

import yaml

from lead_analytics.dbt_cli import REPO_ROOT

MACRO = REPO_ROOT / "macros" / "incremental" / "rules_fingerprint.sql"
# vars that cannot change an incremental model's rows (the macro's docs say why)
NOT_HASHED = {"as_of", "incremental_lookback_days"}
REPORT_ONLY = {
    "min_attempts_before_disqualify",
    "plan_trailing_months",
    "revenue_target",
    "textbook_average_won_amount",
    "textbook_win_rate",
    "textbook_lead_to_opportunity_rate",
}


def macro_list(name: str) -> set[str]:
    text = MACRO.read_text(encoding="utf-8")
    body = re.search(r"macro " + name + r"\(\).*?return\(\[(.*?)\]\)", text, re.S)
    assert body, name
    return set(re.findall(r"'([a-z_]+)'", body.group(1)))


def var_readers(name: str) -> set[str]:
    pattern = re.compile(r"var\(\s*['\"]" + name + r"['\"]")
    return {
        path.relative_to(REPO_ROOT).as_posix()
        for folder in ("models", "macros", "snapshots")
        for path in (REPO_ROOT / folder).rglob("*")
        if path.suffix in {".sql", ".yml"} and pattern.search(path.read_text(encoding="utf-8"))
    }


def test_every_rule_seed_is_hashed():
    seeds = {path.stem for path in (REPO_ROOT / "seeds").rglob("*.csv")}
    assert macro_list("rule_seeds") == seeds


def test_every_var_is_hashed_or_cannot_change_an_incremental_model():
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    hashed = macro_list("rule_vars")
    assert hashed.isdisjoint(NOT_HASHED | REPORT_ONLY)
    assert hashed | NOT_HASHED | REPORT_ONLY == set(project["vars"])


def test_the_vars_left_out_as_report_only_are_read_by_reports_only():
    for name in REPORT_ONLY:
        readers = var_readers(name)
        assert readers, name
        assert all(re.fullmatch(r"models/marts/reports/rpt_\w+\.sql", path) for path in readers), (
            name,
            readers,
        )


def test_every_hashed_var_is_read_somewhere():
    for name in macro_list("rule_vars"):
        assert var_readers(name) - {MACRO.relative_to(REPO_ROOT).as_posix()}, name
