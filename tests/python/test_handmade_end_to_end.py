"""End-to-end: the hand-made export set, loaded and built, gives the numbers worked out by hand.

The story of each lead is in tests/fixtures/exports/handmade/README.md. Times in
the comments are JST; the marts store UTC. as_of is the latest timestamp in the
data (A091, 2025-03-31 18:00 JST = 09:00 UTC).
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES, query


def test_load_counts_add_up_and_the_bad_row_is_quarantined(handmade_warehouse):
    audit = dict(
        query(
            handmade_warehouse,
            "select file_name, [rows_read, rows_loaded, rows_quarantined] from raw._load_audit",
        )
    )
    # 14 activity rows, A099 has the month 13 -> quarantined; the rest load.
    assert audit["activities.csv"] == [14, 13, 1]
    # 5 event rows, E003 twice with the same content: collapsed, nothing quarantined.
    assert audit["marketing_events.csv"] == [5, 5, 0]
    assert audit["users.csv"] == [5, 5, 0]  # CP932, detected
    assert query(handmade_warehouse, "select count(*) from raw.marketing_events") == [(4,)]
    (reason,) = query(handmade_warehouse, "select reason from raw._quarantine")[0]
    assert "occurred_at" in reason


def test_as_of_defaults_to_the_latest_timestamp(handmade_warehouse):
    # A091 at 2025-03-31 18:00 JST is the latest instant anywhere in the exports.
    assert query(
        handmade_warehouse, "select cast(as_of_at as varchar) from intermediate.int_as_of"
    ) == [("2025-03-31 09:00:00",)]


def test_handoffs_first_touches_and_ignore_status(handmade_warehouse):
    rows = {
        lead: (rep, str(handed_off) if handed_off else None, hours, status)
        for lead, rep, handed_off, hours, status in query(
            handmade_warehouse,
            """
            select lead_id, handoff_rep_id, handed_off_at, first_touch_business_hours, ignore_status
            from marts.dim_leads
            """,
        )
    }
    assert rows == {
        # MQL and owner change at the same instant, Tue 10:00; call at 10:30.
        "L01": ("U_SDR1", "2025-01-07 01:00:00", 0.5, "touched"),
        # owned by SDR2 from creation (no owner history): handoff at the MQL, Wed 12:00;
        # system, marketing-user and automated emails are not touches; window closed 02-07.
        "L02": ("U_SDR2", "2025-01-08 03:00:00", None, "ignored"),
        # fast track at Mon 20:10 (after hours): call Tue 09:45 = 0.75 h from the 09:00 opening.
        "L03": ("U_SDR1", "2025-02-03 11:10:00", 0.75, "touched"),
        # first email 35 days after the handoff: the 30-day window had closed -> ignored.
        # Business hours Thu 01-16 10:00 -> Thu 02-20 10:00: 8+9+45+45+45+36 (02-11 holiday)+27+1 = 216.
        "L04": ("U_SDR2", "2025-01-16 01:00:00", 216.0, "ignored"),
        # handed off Fri 03-28, window open until 04-27 > as_of, no touch (the call row was quarantined).
        "L05": ("U_SDR1", "2025-03-28 02:00:00", None, "pending"),
        "L06": (None, None, None, "not_handed_off"),
        # MQL 02-12 with marketing; handoff when assigned to SDR2, Fri 17:00; the 02-13 call was
        # before the handoff. Fri 17:00 -> Mon 10:00 = 1 + 1 = 2.0 h (the spec's own example).
        "L07": ("U_SDR2", "2025-02-14 08:00:00", 2.0, "touched"),
        # touched by an AE (a sales role, not the handoff rep): Mon 09:00 -> Wed 09:00 = 18 h.
        "L08": ("U_SDR1", "2025-03-03 00:00:00", 18.0, "touched"),
        # call at 11:00 written as "2025/03/03 11:00" (naive JST): 1.0 h.
        "L09": ("U_SDR2", "2025-03-03 01:00:00", 1.0, "touched"),
    }


def ignore_totals(database, breakdown):
    return {
        value: (handed, touched, ignored, pending)
        for value, handed, touched, ignored, pending in query(
            database,
            """
            select breakdown_value, sum(handed_off_leads), sum(touched_leads), sum(ignored_leads), sum(pending_leads)
            from marts.rpt_ignore_rate where breakdown = ? group by 1
            """,
            [breakdown],
        )
    }


def test_ignore_rate_overall_by_month_by_rep_and_by_channel(handmade_warehouse):
    # 8 handed off: touched L01 L03 L07 L08 L09, ignored L02 L04, pending L05 -> 2 / 7.
    assert ignore_totals(handmade_warehouse, "overall") == {"all": (8, 5, 2, 1)}
    by_month = {
        str(month): (handed, ignored, rate)
        for month, handed, ignored, rate in query(
            handmade_warehouse,
            """
            select period_month, handed_off_leads, ignored_leads, ignore_rate
            from marts.rpt_ignore_rate where breakdown = 'overall'
            """,
        )
    }
    # Jan: L01 touched, L02 and L04 ignored -> 2/3. Feb: L03, L07 touched -> 0.
    # Mar: L08, L09 touched, L05 pending (left out of the rate) -> 0.
    assert by_month == {
        "2025-01-01": (3, 2, pytest.approx(2 / 3)),
        "2025-02-01": (2, 0, 0.0),
        "2025-03-01": (3, 0, 0.0),
    }
    # SDR1: L01 L03 L08 touched, L05 pending -> 0 / 3. SDR2: L02 L04 ignored, L07 L09 touched -> 2 / 4.
    assert ignore_totals(handmade_warehouse, "rep") == {
        "U_SDR1": (4, 3, 0, 1),
        "U_SDR2": (4, 2, 2, 0),
    }
    # channels from the mapping seeds: Webinar / ウェビナー -> webinar (L01, L08), 展示会 -> trade_show (L02),
    # お問い合わせ -> web_form (L03), セミナー -> seminar (L04), Google Ads -> paid_ads (L05),
    # 資料DL -> content_download (L07), 紹介 -> referral (L09).
    assert ignore_totals(handmade_warehouse, "channel") == {
        "webinar": (2, 2, 0, 0),
        "trade_show": (1, 0, 1, 0),
        "web_form": (1, 1, 0, 0),
        "seminar": (1, 0, 1, 0),
        "paid_ads": (1, 0, 0, 1),
        "content_download": (1, 1, 0, 0),
        "referral": (1, 1, 0, 0),
    }


def test_sal_rate_next_to_the_ignore_rate(handmade_warehouse):
    # reached sal: L01, L03 (implied by the fast-track sql), L07, L08 (sal before being disqualified) = 4;
    # rejected after the handoff without sal: L04, L09 = 2; undecided: L02, L05. SAL rate 4 / 6.
    ((sal, rejected, decided, rate),) = query(
        handmade_warehouse,
        """
        select sum(sal_leads), sum(rejected_leads), sum(acceptance_decided_leads),
               sum(sal_leads) / sum(acceptance_decided_leads)
        from marts.rpt_ignore_rate where breakdown = 'overall'
        """,
    )
    assert (sal, rejected, decided) == (4, 2, 6)
    assert rate == pytest.approx(4 / 6)


def test_sla_status_per_lead_and_policy(handmade_warehouse):
    rows = {
        (lead, policy): (hours, status, str(deadline))
        for lead, policy, hours, status, deadline in query(
            handmade_warehouse,
            """
            select lead_id, policy_name, elapsed_business_hours, sla_status, deadline_at
            from marts.fct_sla_lead_status
            """,
        )
    }
    assert rows == {
        # mql_first_touch, 24 business hours; deadline Tue 10:00 + 24 h = Thu 01-09 16:00 JST.
        ("L01", "mql_first_touch"): (0.5, "met", "2025-01-09 07:00:00"),
        # sql_to_meeting, 48 h: SQL Fri 17:00 -> opportunity Tue 10:00 (Mon holiday) = 2.0 h.
        ("L01", "sql_to_meeting"): (2.0, "met", "2025-01-21 02:00:00"),
        # no touch: deadline Wed 12:00 + 24 h = Fri 18:00 = next opening Tue 01-14 09:00 < as_of -> breached.
        ("L02", "mql_first_touch"): (None, "breached", "2025-01-14 00:00:00"),
        # hot (fast-tracked) at handoff -> hot_first_touch, 1 h: 0.75 h.
        ("L03", "hot_first_touch"): (0.75, "met", "2025-02-04 01:00:00"),
        # SQL Mon 20:10 -> web meeting Thu 15:00: Tue 9 + Wed 9 + Thu 6 = 24 h <= 48.
        ("L03", "sql_to_meeting"): (24.0, "met", "2025-02-12 03:00:00"),
        ("L04", "mql_first_touch"): (216.0, "breached", "2025-01-20 07:00:00"),
        # no touch, deadline Fri 11:00 + 24 h = Fri 7 + Mon 9 + Tue 8 -> Tue 04-01 17:00 > as_of: pending.
        ("L05", "mql_first_touch"): (None, "pending", "2025-04-01 08:00:00"),
        ("L07", "mql_first_touch"): (2.0, "met", "2025-02-19 05:00:00"),
        ("L08", "mql_first_touch"): (18.0, "met", "2025-03-05 06:00:00"),
        ("L09", "mql_first_touch"): (1.0, "met", "2025-03-05 07:00:00"),
    }


def test_sla_compliance_report(handmade_warehouse):
    totals = {
        policy: (met, breached, pending)
        for policy, met, breached, pending in query(
            handmade_warehouse,
            """
            select policy_name, sum(met), sum(breached), sum(pending)
            from marts.rpt_sla_compliance where breakdown = 'overall' group by 1
            """,
        )
    }
    # mql_first_touch: met L01 L07 L08 L09, breached L02 L04, pending L05 -> compliance 4 / 6.
    assert totals == {
        "mql_first_touch": (4, 2, 1),
        "hot_first_touch": (1, 0, 0),
        "sql_to_meeting": (2, 0, 0),
    }
    # week of Mon 2025-03-03: L08 (18 h) and L09 (1 h) met: compliance 1, median 9.5,
    # p90 = 1 + 0.9 x (18 - 1) = 16.3 (linear interpolation).
    ((met, compliance, median, p90),) = query(
        handmade_warehouse,
        """
        select met, compliance_rate, median_business_hours, p90_business_hours from marts.rpt_sla_compliance
        where breakdown = 'overall' and policy_name = 'mql_first_touch' and period_week = '2025-03-03'
        """,
    )
    assert (met, compliance) == (2, 1.0)
    assert median == pytest.approx(9.5)
    assert p90 == pytest.approx(16.3)
    # week of Mon 2025-01-06: L01 met (Tue), L02 breached (Wed) -> 0.5.
    assert query(
        handmade_warehouse,
        """
        select met, breached, compliance_rate from marts.rpt_sla_compliance
        where breakdown = 'overall' and policy_name = 'mql_first_touch' and period_week = '2025-01-06'
        """,
    ) == [(1, 1, 0.5)]


def test_funnel_counts_and_step_rates(handmade_warehouse):
    rows = {
        str(month): counts
        for month, *counts in query(
            handmade_warehouse,
            """
            select cohort_month, leads, mql, sal, sql, opportunities, won
            from marts.rpt_funnel_conversion where breakdown = 'overall'
            """,
        )
    }
    assert rows == {
        # Jan: L01 (to won), L02 (mql), L04 (mql, rejected, recycled, mql again: counted once).
        "2025-01-01": [3, 3, 1, 1, 1, 1],
        # Feb: L03 (fast-tracked to sql: mql and sal implied), L07 (sal).
        "2025-02-01": [2, 2, 2, 1, 0, 0],
        # Mar (JST): L06 was created 03-01 08:00 JST (02-28 in UTC), L05, L08 (sal), L09.
        "2025-03-01": [4, 3, 1, 0, 0, 0],
    }
    ((mql_rate, sal_rate, sql_rate, opp_rate, won_rate, lead_opp, lead_won),) = query(
        handmade_warehouse,
        """
        select lead_to_mql_rate, mql_to_sal_rate, sal_to_sql_rate, sql_to_opportunity_rate,
               opportunity_to_won_rate, lead_to_opportunity_rate, lead_to_won_rate
        from marts.rpt_funnel_conversion where breakdown = 'overall' and cohort_month = '2025-01-01'
        """,
    )
    assert (mql_rate, sal_rate, sql_rate, opp_rate, won_rate) == (
        1.0,
        pytest.approx(1 / 3),
        1.0,
        1.0,
        1.0,
    )
    assert (lead_opp, lead_won) == (pytest.approx(1 / 3), pytest.approx(1 / 3))
    # Feb: no opportunity -> opportunity_to_won_rate has a zero denominator -> null.
    assert query(
        handmade_warehouse,
        """
        select opportunity_to_won_rate, sql_to_opportunity_rate from marts.rpt_funnel_conversion
        where breakdown = 'overall' and cohort_month = '2025-02-01'
        """,
    ) == [(None, 0.0)]


def test_stage_entries_re_entries_and_implied_stages(handmade_warehouse):
    entries = query(
        handmade_warehouse,
        """
        select lead_id, stage, entry_number, is_implied from marts.fct_lead_stage_entries
        where lead_id in ('L03', 'L04') order by lead_id, entered_at, stage
        """,
    )
    assert entries == [
        ("L03", "lead", 1, False),
        ("L03", "mql", 1, True),
        ("L03", "sal", 1, True),
        ("L03", "sql", 1, False),
        ("L04", "lead", 1, False),
        ("L04", "mql", 1, False),
        ("L04", "rejected", 1, False),
        ("L04", "recycled", 1, False),
        ("L04", "mql", 2, False),
    ]


def test_scores_and_temperature(handmade_warehouse):
    rows = dict(
        query(
            handmade_warehouse,
            "select lead_id, [score, score_at_handoff] || [] from marts.dim_leads",
        )
    )
    temperatures = dict(
        query(
            handmade_warehouse,
            "select lead_id, temperature || '/' || coalesce(temperature_at_handoff, '-') from marts.dim_leads",
        )
    )
    # L01 attributes: staff 5 + 1,200 employees 15 + 製造業 10 = 30; behaviour at handoff: email open 1 +
    # pricing page 10 = 11 -> 41 (warm). At as_of the last event is 83 days old: decay -10 -> 1 + 30 = 31.
    assert rows["L01"] == [31, 41]
    assert temperatures["L01"] == "cold/warm"
    # L03: demo request 50 (fast track) + director 10 + IT・通信 10 = 70, hot by the fast track at handoff;
    # at as_of the demo request is 56 days old: 50 - 10 + 20 = 60, warm, the fast track no longer recent.
    assert rows["L03"] == [60, 70]
    assert temperatures["L03"] == "warm/hot"
    # L06: careers page -5 -> behaviour floored at 0; no attribute rule -> 0.
    assert rows["L06"] == [0, None]
    # L08: executive 20 + 製造業 10 + 2,500 employees 15 = 45 -> warm.
    assert rows["L08"] == [45, 45]


def test_as_of_override_rebuilds_last_month(build, tmp_path):
    """As of 2025-02-28 23:59:59 JST the March leads and events do not exist yet."""
    database = build(
        FIXTURES / "handmade", tmp_path, dbt_vars={"as_of": "2025-02-28T23:59:59+09:00"}
    )
    # L05, L08, L09 and L06 (03-01 08:00 JST) are created later; L04's re-MQL (03-10) is not seen.
    assert query(database, "select count(*) from marts.dim_leads") == [(5,)]
    # handed off: L01 touched, L02 ignored, L03 touched, L04 ignored, L07 touched -> 2 / 5.
    assert ignore_totals(database, "overall") == {"all": (5, 3, 2, 0)}
    assert query(
        database,
        "select count(*) from marts.fct_lead_stage_entries where lead_id = 'L04' and stage = 'mql'",
    ) == [(1,)]


def test_score_calibration_by_band_at_handoff(handmade_warehouse):
    rows = {
        band: (leads, opportunities, wins)
        for band, leads, opportunities, wins in query(
            handmade_warehouse,
            "select score_band, handed_off_leads, opportunities, wins from marts.rpt_score_calibration",
        )
    }
    # scores at handoff: L02 10, L04 5, L05 10, L09 0 | L07 25 | L01 41 (won), L08 45 | L03 70.
    assert rows == {
        "0-19": (4, 0, 0),
        "20-39": (1, 0, 0),
        "40-59": (2, 1, 1),
        "60-79": (1, 0, 0),
        "80-99": (0, 0, 0),
        "100+": (0, 0, 0),
    }
    # the only opportunity (L01, 41 at handoff) came from above the 40-point threshold.
    assert query(
        handmade_warehouse,
        "select distinct share_of_opportunities_below_threshold from marts.rpt_score_calibration",
    ) == [(0.0,)]


def test_score_based_mql_and_the_what_if_threshold(handmade_warehouse):
    mql_at = dict(
        query(
            handmade_warehouse, "select lead_id, cast(score_mql_at as varchar) from marts.dim_leads"
        )
    )
    # L01: attributes 30 + email open 1 + pricing 10 = 41 at the pricing view, Tue 01-07 09:00 JST.
    assert mql_at["L01"] == "2025-01-07 00:00:00"
    # L08: attributes alone are 45 >= 40: at creation. L03: 20 + demo request 50 = 70 at 20:05 JST.
    assert mql_at["L08"] == "2025-03-03 00:00:00"
    assert mql_at["L03"] == "2025-02-03 11:05:00"
    assert mql_at["L07"] is None  # 25 never reaches 40
    rows = {
        str(month): (score, what_if, status)
        for month, score, what_if, status in query(
            handmade_warehouse,
            "select period_month, score_mqls, what_if_score_mqls, status_mqls from marts.rpt_mql_threshold_what_if",
        )
    }
    # at 60 only L03 (70) qualifies; by status: Jan L01 L02 L04, Feb L03 L07, Mar L05 L08 L09.
    assert rows == {"2025-01-01": (1, 0, 3), "2025-02-01": (1, 1, 2), "2025-03-01": (1, 0, 3)}


def test_bant_completeness_of_sqls(handmade_warehouse):
    # SQLs: L01 and L03, both handed to SDR1, both with budget, authority, need and a timeframe.
    assert query(
        handmade_warehouse,
        """
        select breakdown, breakdown_value, sql_leads, bant_complete, bant_complete_rate
        from marts.rpt_bant_completeness order by 1, 2
        """,
    ) == [
        ("overall", "all", 2, 2, 1.0),
        ("rep", "U_SDR1", 2, 2, 1.0),
        ("team", "インサイドセールス東日本", 2, 2, 1.0),
    ]
