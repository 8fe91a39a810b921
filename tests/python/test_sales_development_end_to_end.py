"""End-to-end: the sales-development marts on hand-made exports give the numbers worked out by hand.

The stories are in tests/fixtures/exports/sales_development/README.md (and, for the
hand-made set, tests/fixtures/exports/handmade/README.md). Times in the comments
are JST; the marts store UTC. as_of of the sales-development set is the latest
timestamp in it: A999, 2025-07-31 18:00 JST = 09:00 UTC.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, query


@pytest.fixture(scope="module")
def sales_warehouse(build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(FIXTURES / "sales_development", tmp_path_factory.mktemp("sales_development"))


@pytest.fixture(scope="module")
def sales_warehouse_end_of_june(build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same exports, built as of 2025-06-30 23:59:59 JST: as if the data ended there."""
    return build(
        FIXTURES / "sales_development",
        tmp_path_factory.mktemp("sales_development_june"),
        dbt_vars={"as_of": "2025-06-30T23:59:59+09:00"},
    )


REP_WEEK_COLUMNS = (
    "calls",
    "connected_calls",
    "contact_rate",
    "effective_calls",
    "effective_call_rate",
    "meetings_held",
    "effective_conversations",
    "emails",
    "leads_worked",
    "meetings_booked",
    "meetings_reached_opportunity",
    "meetings_won",
    "leads_handed_off",
    "handed_off_leads_reached_sql",
    "handed_off_leads_reached_opportunity",
    "first_touches",
    "first_touches_within_sla",
)


def rep_weeks(database: Path) -> dict[tuple[str, str], dict]:
    rows = query(
        database,
        f"select cast(period_week as varchar), rep_id, {', '.join(REP_WEEK_COLUMNS)} "
        "from marts.rpt_rep_activity_weekly",
    )
    return {
        (week, rep): dict(zip(REP_WEEK_COLUMNS, values, strict=True)) for week, rep, *values in rows
    }


def test_as_of_is_the_last_activity(sales_warehouse):
    assert query(
        sales_warehouse, "select cast(as_of_at as varchar) from intermediate.int_as_of"
    ) == [("2025-07-31 09:00:00",)]


def test_rep_weeks_exist_only_where_the_rep_did_something(sales_warehouse):
    # BDR: week 06-02 (calls), 06-09 (A117: Sun 23:00 UTC is Mon 08:00 JST), 07-28 (A999).
    # SDR: only 06-02: in the week of 06-09 it has only L23's rejection and an automated email.
    # AE: the L20 web meeting (week 06-02) and the L10 meeting (Thu 06-12).
    assert set(rep_weeks(sales_warehouse)) == {
        ("2025-06-02", "U_BDR"),
        ("2025-06-09", "U_BDR"),
        ("2025-07-28", "U_BDR"),
        ("2025-06-02", "U_SDR"),
        ("2025-06-02", "U_AE"),
        ("2025-06-09", "U_AE"),
    }


def test_bdr_week_calls_contact_rate_and_effective_conversations(sales_warehouse):
    week = rep_weeks(sales_warehouse)[("2025-06-02", "U_BDR")]
    assert week == {
        # A100, A101, A102 (L10) and A110, A111 (L11). Not calls: A113 (inbound), A115 (automated),
        # A116 (a marketing user's), A117 (Mon 06-09 08:00 JST: next week).
        "calls": 5,
        # A101 connected, A102 アポ獲得 (a booked meeting reached someone), A110 connected.
        "connected_calls": 3,
        "contact_rate": pytest.approx(3 / 5),
        # 120 s (A101) and 600 s (A102) reach effective_call_seconds = 120; A110's 119 s does not.
        "effective_calls": 2,
        "effective_call_rate": pytest.approx(2 / 5),
        "meetings_held": 0,
        "effective_conversations": 2,
        # A112; the inbound reply A114 is not an email sent.
        "emails": 1,
        "leads_worked": 2,  # L10, L11
        # A102 books L10's meeting; O10 (06-13) follows it and is won on 07-15.
        "meetings_booked": 1,
        "meetings_reached_opportunity": 1,
        "meetings_won": 1,
        # L10: sql at 06-04 10:00 while the BDR owns it -> handoff to the BDR, first touch A102 at
        # the same instant (0 business hours: mql_first_touch met).
        "leads_handed_off": 1,
        "handed_off_leads_reached_sql": 1,
        "handed_off_leads_reached_opportunity": 1,
        "first_touches": 1,
        "first_touches_within_sla": 1,
    }
    # the next week holds only A117, an unanswered call: contact rate 0.
    next_week = rep_weeks(sales_warehouse)[("2025-06-09", "U_BDR")]
    assert (next_week["calls"], next_week["connected_calls"], next_week["leads_worked"]) == (
        1,
        0,
        1,
    )


def test_sdr_week_handoffs_first_touch_sla_and_conversion(sales_warehouse):
    week = rep_weeks(sales_warehouse)[("2025-06-02", "U_SDR")]
    assert week == {
        # L20: A200, A201; L21: A210, A211; L22: A220, A221, A222.
        "calls": 7,
        # A200 connected, A201 アポ獲得, A222 connected.
        "connected_calls": 3,
        "contact_rate": pytest.approx(3 / 7),
        # 300 s and 900 s; A222 lasted 60 s.
        "effective_calls": 2,
        "effective_call_rate": pytest.approx(2 / 7),
        "meetings_held": 0,
        "effective_conversations": 2,
        "emails": 0,  # A230 was automated
        "leads_worked": 3,  # L20, L21, L22 (L23 had only the automated email)
        # A201 books L20's meeting; O20 (06-09) follows it, lost.
        "meetings_booked": 1,
        "meetings_reached_opportunity": 1,
        "meetings_won": 0,
        # handed off Mon-Thu: L20, L21, L22, L23; only L20 reached sql and opportunity (1/4 each).
        "leads_handed_off": 4,
        "handed_off_leads_reached_sql": 1,
        "handed_off_leads_reached_opportunity": 1,
        # first touches by the SDR: L20 (0.5 h), L22 (10 min) met; L21 27 business hours > 24: breached.
        # L23 was never touched: no first touch to count.
        "first_touches": 3,
        "first_touches_within_sla": 2,
    }
    ((sql_rate, opportunity_rate, sla_rate),) = query(
        sales_warehouse,
        """
        select sql_conversion_rate, opportunity_rate, first_touch_sla_rate
        from marts.rpt_rep_activity_weekly where rep_id = 'U_SDR'
        """,
    )
    assert (sql_rate, opportunity_rate) == (0.25, 0.25)
    assert sla_rate == pytest.approx(2 / 3)


def test_ae_meetings_held_are_effective_conversations_not_second_bookings(sales_warehouse):
    weeks = rep_weeks(sales_warehouse)
    # Fri 06-06 web meeting with L20, Thu 06-12 meeting with L10: meetings held, effective
    # conversations. Not bookings: the SDR (L20, 06-04) and the BDR (L10, 06-04) had booked them
    # (アポ獲得) and are credited; crediting the AE too would count each meeting twice in the team.
    for week in ("2025-06-02", "2025-06-09"):
        ae = weeks[(week, "U_AE")]
        assert (ae["calls"], ae["meetings_held"], ae["effective_conversations"]) == (0, 1, 1)
        assert (ae["meetings_booked"], ae["meetings_reached_opportunity"], ae["meetings_won"]) == (
            0,
            0,
            0,
        )
    (contact_rate,) = query(
        sales_warehouse,
        "select contact_rate from marts.rpt_rep_activity_weekly where rep_id = 'U_AE' and period_week = '2025-06-02'",
    )[0]
    assert contact_rate is None  # no calls: the rate is null, not 0


def test_followup_discipline(sales_warehouse):
    rows = query(
        sales_warehouse,
        """
        select cast(period_month as varchar), rep_id, min_attempts_before_disqualify, returned_leads,
               rejected_leads, disqualified_leads, under_attempted_leads, untouched_returned_leads,
               under_attempted_share, average_touches_before_return
        from marts.rpt_followup_discipline
        """,
    )
    # June, handoff rep U_SDR: L21 rejected after 2 calls (< 3), L22 disqualified after 3 (not < 3),
    # L23 rejected with 0 touches (< 3, untouched). L24 was never handed off: not here.
    assert rows == [
        ("2025-06-01", "U_SDR", 3, 3, 2, 1, 2, 1, pytest.approx(2 / 3), pytest.approx(5 / 3))
    ]


def test_rejection_reasons_by_channel_campaign_and_month(sales_warehouse):
    rows = {
        (channel, campaign, stage, reason): (leads, after_handoff, share)
        for channel, campaign, stage, reason, leads, after_handoff, share in query(
            sales_warehouse,
            """
            select channel, campaign_id, return_stage, reason, returned_leads,
                   returned_after_handoff_leads, reason_share
            from marts.rpt_rejection_reasons where period_month = '2025-06-01'
            """,
        )
    }
    assert rows == {
        ("webinar", "C_WEB", "rejected", "連絡不通"): (1, 1, 1.0),  # L21
        # C_ADS returned three leads in June, one per reason: 1/3 each.
        ("paid_ads", "C_ADS", "disqualified", "対象外業種"): (1, 1, pytest.approx(1 / 3)),  # L22
        ("paid_ads", "C_ADS", "rejected", "unknown"): (
            1,
            1,
            pytest.approx(1 / 3),
        ),  # L23, empty reason
        # L24: rejected by marketing before any handoff.
        ("paid_ads", "C_ADS", "rejected", "重複"): (1, 0, pytest.approx(1 / 3)),
    }
    assert query(sales_warehouse, "select count(*) from marts.rpt_rejection_reasons") == [(4,)]


def test_next_action_rate_window_boundaries(sales_warehouse):
    rows = {
        (asset, channel): (downloaded, next_action, no_next_action, pending, rate, median_days)
        for asset, channel, downloaded, next_action, no_next_action, pending, rate, median_days in query(
            sales_warehouse,
            """
            select asset, channel, downloaded_leads, next_action_leads, no_next_action_leads,
                   pending_leads, next_action_rate, median_days_to_next_action
            from marts.rpt_next_action_rate
            """,
        )
    }
    assert rows == {
        # L30 demo request on day 14 (counts); L31 form on day 15 and L32 webinar 18 days after its
        # first download (not); L33 pending (its form at the same instant is listed before the download).
        # Rate = 1 / (1 + 2): the pending lead is left out.
        ("whitepaper-dx", "content_download"): (4, 1, 2, 1, pytest.approx(1 / 3), 14.0),
        # L30's case study on 06-03: the same demo request is 13 days later.
        ("case-study-mfg", "content_download"): (1, 1, 0, 0, 1.0, 13.0),
        # L34 (a webinar lead): only an email click afterwards.
        ("whitepaper-dx", "webinar"): (1, 0, 1, 0, 0.0, None),
        # asset 'all', each lead once: L30 took a next step (its nearest download, the case study,
        # 13 days before), L31 and L32 did not, L33 is pending -> 1 / 3.
        ("all", "content_download"): (4, 1, 2, 1, pytest.approx(1 / 3), 13.0),
        ("all", "webinar"): (1, 0, 1, 0, 0.0, None),
        # overall: 5 leads, 1 next step, 3 without, 1 pending -> 1 / 4 (not 2 / 5 of the downloads)
        ("all", "all"): (5, 1, 3, 1, 0.25, 13.0),
    }


def test_channel_economics(sales_warehouse):
    rows = {
        campaign_key: values
        for campaign_key, *values in query(
            sales_warehouse,
            """
            select channel_campaign_id, cost, leads, mqls, opportunities, wins, won_amount,
                   cost_per_lead, cost_per_mql, cost_per_opportunity, cost_per_win, median_days_lead_to_won
            from marts.rpt_channel_economics
            """,
        )
    }
    assert rows == {
        # L10 (won 6,000,000, 43 days from 06-02 09:00 to 07-15 09:00) and L11; the won lead reached mql
        # through its sql status. 400,000 / 2 leads, / 1 mql, / 1 opportunity, / 1 win.
        "outbound|C_OUT": [
            400000.0,
            2,
            1,
            1,
            1,
            6000000.0,
            200000.0,
            400000.0,
            400000.0,
            400000.0,
            43.0,
        ],
        # L20 (opportunity, lost) and L21: 600,000 / 2 / 2 / 1; no win -> CAC null.
        "webinar|C_WEB": [600000.0, 2, 2, 1, 0, 0.0, 300000.0, 300000.0, 600000.0, None, None],
        # L22, L23 (mql) and L24 (never mql): 1,000,000 / 3 and / 2.
        "paid_ads|C_ADS": [
            1000000.0,
            3,
            2,
            0,
            0,
            0.0,
            pytest.approx(1e6 / 3),
            500000.0,
            None,
            None,
            None,
        ],
        # a campaign without leads still shows its cost; C_FUTURE started after as_of: absent.
        "trade_show|C_EXPO": [500000.0, 0, 0, 0, 0, 0.0, None, None, None, None, None],
        # leads without a campaign: under their own channel, no cost.
        "content_download|none": [None, 4, 0, 0, 0, 0.0, None, None, None, None, None],
        "webinar|none": [None, 1, 0, 0, 0, 0.0, None, None, None, None, None],
    }


def plan_rows(database: Path) -> dict[str, tuple]:
    return {
        key: values
        for key, *values in query(
            database,
            """
            select plan_row_id, average_won_amount, win_rate, lead_to_opportunity_rate,
                   required_wins, required_opportunities, required_leads
            from marts.rpt_pipeline_plan
            """,
        )
    }


def test_pipeline_plan_measured_and_textbook(sales_warehouse):
    rows = plan_rows(sales_warehouse)
    # textbook: 100,000,000 / 5,000,000 = 20 wins; / 0.20 = 100; / 0.15 = 666.7 -> 667 leads.
    assert rows["textbook|overall|all"] == [5000000.0, 0.2, 0.15, 20, 100, 667]
    # measured, 12 months before as_of: O10 won 6,000,000 and O20 lost -> average 6,000,000, win
    # rate 1/2; 12 leads created, 2 reached opportunity (L10, L20) -> 1/6.
    # 100,000,000 / 6,000,000 = 16.7 -> 17 wins; / 0.5 = 34 opportunities; / (1/6) = 204 leads.
    assert rows["measured|overall|all"] == [
        6000000.0,
        0.5,
        pytest.approx(1 / 6),
        17,
        34,
        204,
    ]
    # per channel: outbound has both deals' kinds of rate: 17 / 1.0 = 17; / 0.5 = 34 leads.
    assert rows["measured|channel|outbound"] == [6000000.0, 1.0, 0.5, 17, 17, 34]
    # webinar: one lost deal (win rate 0, no won amount) -> nothing can be required.
    assert rows["measured|channel|webinar"] == [None, 0.0, pytest.approx(1 / 3), None, None, None]
    assert set(rows) == {
        "textbook|overall|all",
        "measured|overall|all",
        "measured|channel|outbound",
        "measured|channel|webinar",
        "measured|channel|paid_ads",
        "measured|channel|content_download",
    }


def test_as_of_end_of_june_behaves_as_if_the_data_ended_there(sales_warehouse_end_of_june):
    database = sales_warehouse_end_of_june
    rows = plan_rows(database)
    # O10 and O20 close in July: no closed deal yet, so the measured plan has no deal rates; 11 leads
    # existed (L33 is created 07-20), L10 and L20 had opportunities -> 2 / 11.
    assert rows["measured|overall|all"] == [None, None, pytest.approx(2 / 11), None, None, None]
    # L10's win (07-15) is not known yet: the BDR's chain stops at the opportunity.
    week = rep_weeks(database)[("2025-06-02", "U_BDR")]
    assert (
        week["meetings_booked"],
        week["meetings_reached_opportunity"],
        week["meetings_won"],
    ) == (
        1,
        1,
        0,
    )
    assert ("2025-07-28", "U_BDR") not in rep_weeks(database)
    # L33 has not downloaded anything yet; the three other windows had closed by 06-30: 1 / 3.
    assert query(
        database,
        """
        select downloaded_leads, next_action_leads, no_next_action_leads, pending_leads
        from marts.rpt_next_action_rate where asset = 'whitepaper-dx' and channel = 'content_download'
        """,
    ) == [(3, 1, 2, 0)]
    assert query(
        database,
        "select wins, won_amount, cost_per_win from marts.rpt_channel_economics where campaign_id = 'C_OUT'",
    ) == [(0, 0.0, None)]


def test_handmade_set_followup_discipline_and_reasons(handmade_warehouse):
    # L04 (SDR2, rejected 02-20 11:00 after the 10:00 email), L09 (SDR2, rejected 03-04 after the
    # 03-03 call; the 03-31 email comes later), L08 (SDR1's lead, disqualified 03-06 after the AE's
    # call): one touch each, fewer than 3.
    assert sorted(
        query(
            handmade_warehouse,
            """
            select cast(period_month as varchar), rep_id, returned_leads, under_attempted_leads
            from marts.rpt_followup_discipline
            """,
        )
    ) == [
        ("2025-02-01", "U_SDR2", 1, 1),
        ("2025-03-01", "U_SDR1", 1, 1),
        ("2025-03-01", "U_SDR2", 1, 1),
    ]
    assert sorted(
        query(
            handmade_warehouse,
            "select channel, campaign_id, return_stage, reason from marts.rpt_rejection_reasons",
        )
    ) == [
        ("referral", "none", "rejected", "情報不備"),  # L09
        ("seminar", "none", "rejected", "予算なし"),  # L04
        ("webinar", "C1", "disqualified", "対象外"),  # L08
    ]


def test_handmade_set_pipeline_plan(handmade_warehouse):
    rows = plan_rows(handmade_warehouse)
    # O1 won 5,000,000 and is the only closed deal (O2 is open): 20 wins at a win rate of 1 -> 20
    # opportunities; 9 leads, 1 reached opportunity (L01): 20 / (1/9) = 180 leads.
    assert rows["measured|overall|all"] == [5000000.0, 1.0, pytest.approx(1 / 9), 20, 20, 180]
    assert rows["textbook|overall|all"] == [5000000.0, 0.2, 0.15, 20, 100, 667]
