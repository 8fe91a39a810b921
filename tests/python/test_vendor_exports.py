"""Vendor-shaped export sets built end to end: the vendors' own files give the marts the
contract gives for the same facts.

- `salesforce/`: the hand-made set as a Salesforce org's Data Export writes it (README
  there), its marketing events as Marketo's activity log (`marketo/`), loaded with
  `--profile salesforce,marketo`: every mart equals the hand-made set's, table by table,
  once the Salesforce ids are read as the hand-made ones (`salesforce/ids.csv`). Two things
  Salesforce cannot say are not compared: a direction for emails and meetings (it records
  CallType for calls only), an empty BANT checkbox (a checkbox is never empty: false), and
  where a won stage entry's evidence came from (a Salesforce lead has no "won" status: the
  won opportunity implies it, at the same instant).
- `hubspot/`: the hand-made facts as HubSpot's CRM exports write them, as far as HubSpot
  can say them; `hubspot_contract/` is the same facts in the contract's shape. The loader
  must derive exactly those contract rows (every column of every raw table: the marts are
  a function of them), and the marts must show the numbers hubspot/README.md works out.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES, build_warehouse, query

from lead_analytics.contract import EXPORT_FILES
from lead_analytics.loader.core import load_folder

SALESFORCE = FIXTURES / "salesforce"
MARKETO = FIXTURES / "marketo"
HUBSPOT = FIXTURES / "hubspot"
HUBSPOT_CONTRACT = FIXTURES / "hubspot_contract"

MARTS = (
    "dim_campaigns",
    "dim_leads",
    "dim_reps",
    "fct_lead_stage_entries",
    "fct_sales_touches",
    "fct_sla_lead_status",
    "rpt_bant_completeness",
    "rpt_channel_economics",
    "rpt_followup_discipline",
    "rpt_funnel_conversion",
    "rpt_ignore_rate",
    "rpt_mql_threshold_what_if",
    "rpt_next_action_rate",
    "rpt_pipeline_plan",
    "rpt_rejection_reasons",
    "rpt_rep_activity_weekly",
    "rpt_score_calibration",
    "rpt_sla_compliance",
)
# incremental bookkeeping: which load a row was computed from, not what it says
BOOKKEEPING = {"processed_load_id", "as_of_setting", "rules_fingerprint", "next_change_at"}


def mart_rows(database: Path, table: str, ids: dict[str, str]) -> list[tuple]:
    """The mart's rows with every vendor id read as its hand-made id, sorted."""
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = [
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            if name not in BOOKKEEPING
        ]
        data = connection.execute(f"select {', '.join(columns)} from marts.{table}").fetchall()
    rows = []
    for row in data:
        record = dict(zip(columns, (_read_ids(v, ids) for v in row), strict=True))
        if table == "fct_sales_touches" and record["activity_type"] != "call":
            record["direction"] = "(not compared)"
        if table == "fct_lead_stage_entries" and record["stage"] == "won":
            # a Salesforce lead has no "won" status: its win is implied by the won opportunity
            # (same instant), where the hand-made L01 also has a 受注 status change
            record["entry_source"] = record["is_implied"] = "(not compared)"
        for column in UNEXPORTED_CHECKBOXES:
            if table == "dim_leads" and record[column] is None:
                record[column] = False
        rows.append(tuple(sorted(record.items())))
    return sorted(rows, key=repr)


# A Salesforce checkbox is never empty: a lead whose BANT nobody confirmed has false there,
# where the hand-made export left the cell empty. Both read "not confirmed".
UNEXPORTED_CHECKBOXES = ("is_budget_confirmed", "is_authority_confirmed", "is_need_confirmed")


def _read_ids(value, ids: dict[str, str]):
    """A vendor id as its hand-made id, also inside a mart's compound key ('<lead>|sql|1')."""
    if not isinstance(value, str) or not ids:
        return value
    return "|".join(ids.get(part, part) for part in value.split("|"))


def raw_contract_rows(database: Path, table: str) -> list[tuple]:
    spec = next(f for f in EXPORT_FILES if f.name == table)
    columns = ", ".join(c.name for c in spec.columns)
    return sorted(query(database, f"select {columns} from raw.{table}"), key=repr)


@pytest.fixture(scope="module")
def salesforce_warehouse(tmp_path_factory) -> Path:
    """The Salesforce set with Marketo's activity log in place of marketing_events.csv."""
    work = tmp_path_factory.mktemp("salesforce")
    folder = work / "exports"
    shutil.copytree(SALESFORCE, folder)
    (folder / "marketing_events.csv").unlink()
    for path in MARKETO.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return build_warehouse(folder, work, profile="salesforce,marketo")


def salesforce_ids() -> dict[str, str]:
    with (SALESFORCE / "ids.csv").open(encoding="utf-8", newline="") as handle:
        return {row["salesforce_id"]: row["handmade_id"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize("table", MARTS)
def test_salesforce_and_marketo_exports_give_the_hand_made_marts(
    table, salesforce_warehouse, handmade_warehouse
):
    ids = salesforce_ids()
    got = mart_rows(salesforce_warehouse, table, ids)
    want = mart_rows(handmade_warehouse, table, {})
    # the hand-made set has no content download, so no next-action rows: every other mart
    # has rows to compare
    assert got or table == "rpt_next_action_rate", f"{table} is empty: nothing compared"
    assert got == want


def test_salesforce_quarantines_the_broken_task_and_folds_everything_else(salesforce_warehouse):
    # A099's CompletedDateTime has a month 13: quarantined with its file and line, as the
    # hand-made activities.csv row is
    [(file_name, reason)] = query(
        salesforce_warehouse, "select file_name, reason from raw._quarantine"
    )
    assert file_name == "Task.csv"
    assert "unparseable timestamp in completed_date_time: '2025-13-01T01:00:00.000Z'" in reason
    # every contract table but campaigns' costs came from the vendors' files
    sources = dict(
        query(
            salesforce_warehouse,
            "select file_name, rows_loaded from raw._load_audit where status = 'derived'",
        )
    )
    assert set(sources) == {
        "Salesforce -> leads.csv",
        "Salesforce -> lead_history.csv",
        "Salesforce -> activities.csv",
        "Salesforce -> opportunities.csv",
        "Salesforce -> users.csv",
        "Salesforce -> campaigns.csv",
        "Marketo -> marketing_events.csv",
    }


def test_data_loader_headers_load_like_the_data_export(tmp_path):
    """Data Loader writes the same objects with upper-case API names, unquoted."""
    folder = tmp_path / "data_loader"
    folder.mkdir()
    for path in SALESFORCE.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        if path.name != "marketing_events.csv":
            rows[0] = [name.upper() for name in rows[0]]
        with (folder / path.name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
    export = tmp_path / "export.duckdb"
    loader = tmp_path / "loader.duckdb"
    load_folder(SALESFORCE, export, profile="salesforce")
    load_folder(folder, loader, profile="salesforce")
    for spec in EXPORT_FILES:
        assert raw_contract_rows(loader, spec.name) == raw_contract_rows(export, spec.name), (
            spec.name
        )


def test_hubspot_exports_derive_the_contract_rows_of_the_twin_set(tmp_path):
    vendor = tmp_path / "hubspot.duckdb"
    twin = tmp_path / "twin.duckdb"
    assert all(r.status != "failed" for r in load_folder(HUBSPOT, vendor, profile="hubspot"))
    assert all(r.status != "failed" for r in load_folder(HUBSPOT_CONTRACT, twin))
    for spec in EXPORT_FILES:
        assert raw_contract_rows(vendor, spec.name) == raw_contract_rows(twin, spec.name), spec.name
    assert raw_contract_rows(vendor, "lead_history")  # not an empty comparison


@pytest.fixture(scope="module")
def hubspot_warehouse(tmp_path_factory) -> Path:
    return build_warehouse(HUBSPOT, tmp_path_factory.mktemp("hubspot"), profile="hubspot")


def test_hubspot_marts_show_what_hubspot_knows(hubspot_warehouse):
    """The numbers of hubspot/README.md ("The numbers under these facts")."""
    leads = dict(query(hubspot_warehouse, "select lead_id, ignore_status from marts.dim_leads"))
    assert leads == {
        "101": "touched",
        "102": "ignored",
        "103": "touched",
        # handed off when SDR1 got it on 03-10 (HubSpot keeps no earlier owner): pending,
        # where the hand-made L04 was ignored by SDR2 in January
        "104": "pending",
        "105": "pending",
        "106": "not_handed_off",
        "107": "touched",
        "108": "touched",
        "109": "touched",
    }
    overall = query(
        hubspot_warehouse,
        "select strftime(period_month, '%Y-%m'), handed_off_leads, touched_leads, "
        "ignored_leads, pending_leads, ignore_rate from marts.rpt_ignore_rate "
        "where breakdown = 'overall' order by 1",
    )
    assert overall == [
        ("2025-01", 2, 1, 1, 0, 0.5),
        ("2025-02", 2, 2, 0, 0, 0.0),
        ("2025-03", 4, 2, 0, 2, 0.0),
    ]
    by_rep = query(
        hubspot_warehouse,
        "select breakdown_value, sum(handed_off_leads), sum(touched_leads), "
        "sum(ignored_leads), sum(pending_leads) from marts.rpt_ignore_rate "
        "where breakdown = 'rep' group by 1 order by 1",
    )
    assert by_rep == [("50002", 5, 3, 0, 2), ("50003", 3, 2, 1, 0)]
    # SAL: 101, 103 (implied by their SQL) and 107 (Lead Status Connected) accepted;
    # 108 and 109 returned (Unqualified) after their handoff: 3 / 5
    accepted, decided = query(
        hubspot_warehouse,
        "select count(*) filter (where reached_sal_at is not null), "
        "count(*) filter (where reached_sal_at is not null or lead_id in ('108', '109')) "
        "from marts.dim_leads where handed_off_at is not null",
    )[0]
    assert (accepted, decided) == (3, 5)
    funnel = query(
        hubspot_warehouse,
        "select strftime(cohort_month, '%Y-%m'), leads, mql, sal, sql, opportunities, won "
        "from marts.rpt_funnel_conversion where breakdown = 'overall' order by 1",
    )
    assert funnel == [
        ("2025-01", 3, 3, 1, 1, 1, 1),
        ("2025-02", 2, 2, 2, 1, 0, 0),
        ("2025-03", 4, 3, 0, 0, 0, 0),
    ]
    sla = query(
        hubspot_warehouse,
        "select lead_id, policy_name, sla_status, elapsed_business_hours "
        "from marts.fct_sla_lead_status order by 1, 2",
    )
    assert sla == [
        ("101", "mql_first_touch", "met", 0.5),
        ("101", "sql_to_meeting", "met", 2.0),
        ("102", "mql_first_touch", "breached", None),
        ("103", "hot_first_touch", "met", 0.75),
        ("103", "sql_to_meeting", "met", 24.0),
        ("104", "mql_first_touch", "breached", None),
        ("105", "mql_first_touch", "pending", None),
        ("107", "mql_first_touch", "met", 2.0),
        ("108", "mql_first_touch", "met", 18.0),
        ("109", "mql_first_touch", "met", 1.0),
    ]
    # the multi-contact deal is 101's (its colleague 110 is not in the contacts export)
    assert query(
        hubspot_warehouse,
        "select lead_id, won_at is not null from marts.dim_leads where lead_id = '101'",
    ) == [("101", True)]
