"""The vendor folds' rules, one at a time, on small files written as the vendors write them.

Each test loads a few rows with `--profile <vendor>` and reads the contract rows the fold
derived (schema raw); no dbt build. The end-to-end tests (test_vendor_exports.py) build the
vendor-shaped fixture sets.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from lead_analytics.errors import UsageError
from lead_analytics.loader.core import load_folder, run_load
from lead_analytics.profiles.profile import load_profile

# 18-character Salesforce Ids (prefix, org part, suffix as Salesforce writes them)
LEAD = "00Q5g00000AbCd1EAA"
LEAD_2 = "00Q5g00000AbCd2EAA"
CONTACT = "0035g00000XyZa1AAA"
OPPORTUNITY = "0065g00000OpPo1AAA"
SDR = "0055g00000SdR01AAA"
AE = "0055g00000Ae001AAA"
QUEUE = "00G5g00000QuEu1AAA"
ROLE_SDR = "00E5g00000RoLe1AAA"
ROLE_AE = "00E5g00000RoLe2AAA"


def write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    """A CSV file as Salesforce's Data Export writes it: every value quoted."""
    folder.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([header, *rows])
    (folder / name).write_text(out.getvalue(), encoding="utf-8")


def rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        return connection.execute(sql).fetchall()


def by_name(results):
    return {r.file_name: r for r in results}


def salesforce_basics(folder: Path) -> None:
    """Two users with roles by UserRoleId, a converted lead and an open one."""
    write(
        folder,
        "User.csv",
        ["Id", "Name", "Department", "UserRoleId", "IsActive"],
        [[SDR, "田中 太郎", "IS東", ROLE_SDR[:15], "true"], [AE, "高橋 健", "FS", ROLE_AE, "true"]],
    )
    write(
        folder,
        "UserRole.csv",
        ["Id", "Name", "DeveloperName"],
        [[ROLE_SDR, "インサイドセールス", "IS"], [ROLE_AE, "フィールドセールス", "FS"]],
    )
    write(
        folder,
        "Lead.csv",
        [
            "Id",
            "IsDeleted",
            "Company",
            "Status",
            "OwnerId",
            "IsConverted",
            "ConvertedDate",
            "ConvertedContactId",
            "ConvertedOpportunityId",
            "CreatedDate",
            "LastModifiedDate",
            "SystemModstamp",
            "Disqualified_Reason__c",
        ],
        [
            [
                LEAD,
                "false",
                "山田製作所",
                "Closed - Converted",
                SDR,
                "true",
                "2025-01-14",
                CONTACT,
                OPPORTUNITY,
                "2025-01-06T01:00:00.000Z",
                "2025-01-14T01:00:00.000Z",
                "2025-01-14T01:00:00.000Z",
                "",
            ],
            [
                LEAD_2,
                "false",
                "北海物流",
                "見送り",
                SDR,
                "false",
                "",
                "",
                "",
                "2025-01-06T00:00:00.000Z",
                "2025-01-09T01:00:00.000Z",
                "2025-01-09T01:00:00.000Z",
                "予算なし",
            ],
        ],
    )


HISTORY_HEADER = [
    "Id",
    "IsDeleted",
    "LeadId",
    "CreatedDate",
    "Field",
    "DataType",
    "OldValue",
    "NewValue",
]


def test_salesforce_owner_changes_are_one_row_each_with_ids_and_queues_stay_queues(tmp_path):
    folder = tmp_path / "sf"
    salesforce_basics(folder)
    at = "2025-01-07T01:00:00.000Z"
    write(
        folder,
        "LeadHistory.csv",
        HISTORY_HEADER,
        [
            [
                "0175g00000Hi001AAA",
                "false",
                LEAD,
                "2025-01-06T01:00:00.000Z",
                "created",
                "Text",
                "",
                "",
            ],
            # the twins of one owner change: the name row first, as Salesforce may list it
            ["0175g00000Hi002AAA", "false", LEAD, at, "Owner", "Text", "MQLキュー", "田中 太郎"],
            ["0175g00000Hi003AAA", "false", LEAD, at, "Owner", "EntityId", QUEUE, SDR],
            [
                "0175g00000Hi004AAA",
                "false",
                LEAD,
                at,
                "Status",
                "Text",
                "Open - Not Contacted",
                "MQL",
            ],
            # a name-only owner change (no Id row at its instant): the user of that name
            ["0175g00000Hi005AAA", "false", LEAD_2, at, "Owner", "Text", "MQLキュー", "田中 太郎"],
            # a deleted row is left out
            ["0175g00000Hi006AAA", "true", LEAD_2, at, "Status", "Text", "", "MQL"],
        ],
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="salesforce"))
    assert results["LeadHistory.csv"].status == "loaded"
    assert rows(
        database,
        "select history_id, lead_id, field, old_value, new_value from raw.lead_history order by 1",
    ) == [
        ("0175g00000Hi003AAA", LEAD, "owner", QUEUE, SDR),
        ("0175g00000Hi004AAA", LEAD, "status", "Open - Not Contacted", "MQL"),
        ("0175g00000Hi005AAA", LEAD_2, "owner", "MQLキュー", SDR),
    ]
    notes = "\n".join(results["Salesforce -> lead_history.csv"].notes)
    assert "LeadHistory.csv: 3 of 6 row(s) used" in notes
    assert "1 not used: the name twin of an owner change (DataType Text)" in notes
    assert "1 not used: creation row" in notes
    assert "1 not used: deleted in Salesforce (IsDeleted = true)" in notes


def test_salesforce_lead_history_without_data_type_tells_the_twins_by_their_values(tmp_path):
    folder = tmp_path / "sf"
    salesforce_basics(folder)
    at = "2025-01-07T01:00:00.000Z"
    header = [c for c in HISTORY_HEADER if c != "DataType"]
    write(
        folder,
        "LeadHistory.csv",
        header,
        [
            ["0175g00000Hi002AAA", "false", LEAD, at, "Owner", "MQLキュー", "田中 太郎"],
            ["0175g00000Hi003AAA", "false", LEAD, at, "Owner", QUEUE, SDR],
        ],
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="salesforce"))
    assert any("no DataType" in note for note in results["LeadHistory.csv"].notes)
    assert rows(database, "select history_id, old_value, new_value from raw.lead_history") == [
        ("0175g00000Hi003AAA", QUEUE, SDR)
    ]


def test_salesforce_status_reasons_and_the_conversion_row(tmp_path):
    folder = tmp_path / "sf"
    salesforce_basics(folder)
    converted = "2025-01-14T01:00:00.000Z"
    write(
        folder,
        "LeadHistory.csv",
        HISTORY_HEADER,
        [
            # L1's conversion: a leadConverted row beside its Status change (used once)
            [
                "0175g00000Hi010AAA",
                "false",
                LEAD,
                converted,
                "Status",
                "Text",
                "SQL",
                "Closed - Converted",
            ],
            ["0175g00000Hi011AAA", "false", LEAD, converted, "leadConverted", "Text", "", ""],
            # L2: rejected with a reason set in the same save, then the reason alone changed
            [
                "0175g00000Hi020AAA",
                "false",
                LEAD_2,
                "2025-01-08T01:00:00.000Z",
                "Status",
                "Text",
                "MQL",
                "見送り",
            ],
            [
                "0175g00000Hi021AAA",
                "false",
                LEAD_2,
                "2025-01-08T01:00:00.000Z",
                "Disqualified_Reason__c",
                "Text",
                "",
                "情報不備",
            ],
            [
                "0175g00000Hi022AAA",
                "false",
                LEAD_2,
                "2025-01-09T01:00:00.000Z",
                "Disqualified_Reason__c",
                "Text",
                "情報不備",
                "予算なし",
            ],
        ],
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="salesforce"))
    assert rows(
        database,
        "select history_id, field, new_value, reason from raw.lead_history order by 1",
    ) == [
        ("0175g00000Hi010AAA", "status", "Closed - Converted", None),
        # the reason of the save is the change's reason; the lead's current reason (予算なし)
        # is not, since a history row gives this change's own
        ("0175g00000Hi020AAA", "status", "見送り", "情報不備"),
    ]
    notes = "\n".join(results["Salesforce -> lead_history.csv"].notes)
    assert "conversion row: the Status change at the same instant records the conversion" in notes
    assert "a change of the rejection reason without a status change at the same instant" in notes


def test_salesforce_a_conversion_row_alone_is_the_status_change(tmp_path):
    folder = tmp_path / "sf"
    salesforce_basics(folder)
    write(
        folder,
        "LeadHistory.csv",
        HISTORY_HEADER,
        [
            [
                "0175g00000Hi011AAA",
                "false",
                LEAD,
                "2025-01-14T01:00:00.000Z",
                "leadConverted",
                "Text",
                "",
                "",
            ]
        ],
    )
    database = tmp_path / "db.duckdb"
    load_folder(folder, database, profile="salesforce")
    assert rows(database, "select field, old_value, new_value from raw.lead_history") == [
        ("status", None, "Closed - Converted")
    ]


def test_salesforce_the_current_reason_goes_to_the_change_into_the_current_status(tmp_path):
    folder = tmp_path / "sf"
    salesforce_basics(folder)
    write(
        folder,
        "LeadHistory.csv",
        HISTORY_HEADER,
        [
            [
                "0175g00000Hi030AAA",
                "false",
                LEAD_2,
                "2025-01-07T01:00:00.000Z",
                "Status",
                "Text",
                "",
                "MQL",
            ],
            [
                "0175g00000Hi031AAA",
                "false",
                LEAD_2,
                "2025-01-08T01:00:00.000Z",
                "Status",
                "Text",
                "MQL",
                "見送り",
            ],
        ],
    )
    database = tmp_path / "db.duckdb"
    load_folder(folder, database, profile="salesforce")
    assert rows(database, "select history_id, reason from raw.lead_history order by 1") == [
        ("0175g00000Hi030AAA", None),
        ("0175g00000Hi031AAA", "予算なし"),
    ]


TASK_HEADER = [
    "Id",
    "WhoId",
    "WhatId",
    "OwnerId",
    "Subject",
    "Type",
    "TaskSubtype",
    "Status",
    "IsClosed",
    "CompletedDateTime",
    "CreatedDate",
    "CallType",
    "CallDisposition",
    "CallDurationInSeconds",
    "IsDeleted",
    "SystemModstamp",
]
EVENT_HEADER = [
    "Id",
    "WhoId",
    "WhatId",
    "OwnerId",
    "Type",
    "StartDateTime",
    "EndDateTime",
    "DurationInMinutes",
    "IsChild",
    "IsDeleted",
    "CreatedDate",
]


def test_salesforce_activities_of_a_converted_lead_are_found_through_its_contact_and_opportunity(
    tmp_path,
):
    folder = tmp_path / "sf"
    salesforce_basics(folder)
    t = "2025-01-07T01:30:00.000Z"
    write(
        folder,
        "Task.csv",
        TASK_HEADER,
        [
            # moved to the contact on conversion: WhoId = ConvertedContactId (15 characters
            # here, as a report writes it)
            [
                "00T5g00000Ta001AAA",
                CONTACT[:15],
                "",
                SDR,
                "Call",
                "Call",
                "Call",
                "Completed",
                "true",
                t,
                t,
                "Outbound",
                "Connected",
                "300",
                "false",
                t,
            ],
            # a list email: automated
            [
                "00T5g00000Ta002AAA",
                LEAD_2,
                "",
                SDR,
                "Mass",
                "Email",
                "ListEmail",
                "Completed",
                "true",
                t,
                t,
                "",
                "",
                "",
                "false",
                t,
            ],
            # a contact nobody was converted into: not a lead's activity
            [
                "00T5g00000Ta003AAA",
                "0035g00000Other1AA",
                "",
                SDR,
                "Call",
                "Call",
                "Call",
                "Completed",
                "true",
                t,
                t,
                "Outbound",
                "",
                "",
                "false",
                t,
            ],
            # Type when the subtype says nothing (a task logged as a Japanese type)
            [
                "00T5g00000Ta004AAA",
                LEAD_2,
                "",
                SDR,
                "電話",
                "電話",
                "Task",
                "Completed",
                "true",
                t,
                t,
                "Outbound",
                "不在",
                "0",
                "false",
                t,
            ],
        ],
    )
    write(
        folder,
        "Event.csv",
        EVENT_HEADER,
        [
            # logged on the opportunity only: its lead is the one converted into it
            [
                "00U5g00000Ev001AAA",
                "",
                OPPORTUNITY,
                AE,
                "Meeting",
                "2025-01-20T05:00:00.000Z",
                "2025-01-20T06:00:00.000Z",
                "60",
                "false",
                "false",
                "2025-01-15T01:00:00.000Z",
            ],
            # an invitee's copy of the same meeting
            [
                "00U5g00000Ev002AAA",
                "",
                OPPORTUNITY,
                SDR,
                "Meeting",
                "2025-01-20T05:00:00.000Z",
                "2025-01-20T06:00:00.000Z",
                "60",
                "true",
                "false",
                "2025-01-15T01:00:00.000Z",
            ],
        ],
    )
    write(
        folder,
        "Opportunity.csv",
        ["Id", "StageName", "IsClosed", "IsWon", "OwnerId", "CreatedDate", "Amount", "CloseDate"],
        [
            [
                OPPORTUNITY,
                "Prospecting",
                "false",
                "false",
                AE,
                "2025-01-14T01:00:00.000Z",
                "5000000",
                "2025-03-31",
            ]
        ],
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="salesforce"))
    assert rows(
        database,
        "select activity_id, lead_id, user_id, activity_type, direction, outcome, "
        "duration_seconds, is_automated from raw.activities order by 1",
    ) == [
        ("00T5g00000Ta001AAA", LEAD, SDR, "Call", "Outbound", "Connected", 300, False),
        ("00T5g00000Ta002AAA", LEAD_2, SDR, "ListEmail", None, None, None, True),
        ("00T5g00000Ta004AAA", LEAD_2, SDR, "電話", "Outbound", "不在", 0, False),
        ("00U5g00000Ev001AAA", LEAD, AE, "Meeting", None, None, 3600, False),
    ]
    assert rows(database, "select opportunity_id, lead_id from raw.opportunities") == [
        (OPPORTUNITY, LEAD)
    ]
    notes = "\n".join(results["Salesforce -> activities.csv"].notes)
    assert "Task.csv: 3 of 4 row(s) used" in notes
    assert "not on a lead: its WhoId / WhatId is no exported lead" in notes
    assert "an invitee's copy of a group event (IsChild = true)" in notes


def test_salesforce_an_open_task_waits_until_completed_and_a_meeting_until_it_starts(tmp_path):
    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    for folder in (day1, day2):
        salesforce_basics(folder)
    created = "2025-01-07T01:30:00.000Z"
    write(
        day1,
        "Task.csv",
        TASK_HEADER,
        [
            [
                "00T5g00000Ta010AAA",
                LEAD_2,
                "",
                SDR,
                "Call",
                "Call",
                "Call",
                "Not Started",
                "false",
                "",
                created,
                "",
                "",
                "",
                "false",
                created,
            ]
        ],
    )
    write(
        day1,
        "Event.csv",
        EVENT_HEADER,
        [
            [
                "00U5g00000Ev010AAA",
                LEAD_2,
                "",
                AE,
                "Meeting",
                "2099-01-20T05:00:00.000Z",
                "2099-01-20T06:00:00.000Z",
                "60",
                "false",
                "false",
                created,
            ]
        ],
    )
    done = "2025-01-08T02:00:00.000Z"
    write(
        day2,
        "Task.csv",
        TASK_HEADER,
        [
            [
                "00T5g00000Ta010AAA",
                LEAD_2,
                "",
                SDR,
                "Call",
                "Call",
                "Call",
                "Completed",
                "true",
                done,
                created,
                "Outbound",
                "Connected",
                "120",
                "false",
                done,
            ]
        ],
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(day1, database, profile="salesforce"))
    assert rows(database, "select count(*) from raw.activities") == [(0,)]
    notes = "\n".join(results["Salesforce -> activities.csv"].notes)
    assert "an open task (IsClosed = false)" in notes
    assert "not held yet (it starts after this load)" in notes
    load_folder(day2, database, profile="salesforce")
    # the task upserted by Id (newer SystemModstamp), completed: now an activity, dated
    # when it was completed
    assert rows(database, "select activity_id, occurred_at::varchar from raw.activities") == [
        ("00T5g00000Ta010AAA", "2025-01-08 02:00:00+00")
    ]


def test_salesforce_closing_instant_comes_from_either_history_file(tmp_path):
    folder = tmp_path / "sf"
    salesforce_basics(folder)
    other = "0065g00000OpPo2AAA"
    write(
        folder,
        "Opportunity.csv",
        ["Id", "StageName", "IsClosed", "IsWon", "OwnerId", "CreatedDate", "CloseDate"],
        [
            [
                OPPORTUNITY,
                "Closed Won",
                "true",
                "true",
                AE,
                "2025-01-14T01:00:00.000Z",
                "2025-02-20",
            ],
            [other, "Closed Lost", "true", "false", AE, "2025-01-15T01:00:00.000Z", "2025-02-28"],
        ],
    )
    write(
        folder,
        "OpportunityHistory.csv",
        ["Id", "OpportunityId", "CreatedDate", "StageName", "Amount", "IsDeleted"],
        [
            [
                "0085g00000Oh001AAA",
                OPPORTUNITY,
                "2025-01-14T01:00:00.000Z",
                "Prospecting",
                "5000000",
                "false",
            ],
            [
                "0085g00000Oh002AAA",
                OPPORTUNITY,
                "2025-02-20T01:00:00.000Z",
                "Closed Won",
                "5000000",
                "false",
            ],
            # an amount edit after the win: same stage, the closing instant stays
            [
                "0085g00000Oh003AAA",
                OPPORTUNITY,
                "2025-02-21T01:00:00.000Z",
                "Closed Won",
                "5500000",
                "false",
            ],
        ],
    )
    write(
        folder,
        "OpportunityFieldHistory.csv",
        [
            "Id",
            "OpportunityId",
            "CreatedDate",
            "Field",
            "DataType",
            "OldValue",
            "NewValue",
            "IsDeleted",
        ],
        [
            [
                "0175g00000Of001AAA",
                other,
                "2025-02-25T03:00:00.000Z",
                "StageName",
                "Text",
                "Prospecting",
                "Closed Lost",
                "false",
            ]
        ],
    )
    database = tmp_path / "db.duckdb"
    load_folder(folder, database, profile="salesforce")
    assert rows(
        database,
        "select opportunity_id, lead_id, is_won, closed_at::varchar from raw.opportunities order by 1",
    ) == [
        (OPPORTUNITY, LEAD, True, "2025-02-20 01:00:00+00"),
        (other, None, False, "2025-02-25 03:00:00+00"),
    ]


def test_salesforce_roles_come_from_user_role_and_campaigns_from_campaign_members(tmp_path):
    folder = tmp_path / "sf"
    salesforce_basics(folder)
    campaign, later = "7015g00000Ca001AAA", "7015g00000Ca002AAA"
    write(
        folder,
        "Campaign.csv",
        [
            "Id",
            "Name",
            "Type",
            "StartDate",
            "EndDate",
            "ActualCost",
            "BudgetedCost",
            "CurrencyIsoCode",
            "IsDeleted",
        ],
        [
            [
                campaign,
                "1月ウェビナー",
                "Webinar",
                "2025-01-01",
                "2025-01-31",
                "",
                "300000",
                "JPY",
                "false",
            ],
            [
                later,
                "展示会",
                "Trade Show",
                "2025-02-01",
                "2025-02-03",
                "1500000",
                "2000000",
                "JPY",
                "false",
            ],
        ],
    )
    write(
        folder,
        "CampaignMember.csv",
        ["Id", "CampaignId", "LeadId", "ContactId", "Status", "CreatedDate", "IsDeleted"],
        [
            # the converted lead's memberships: its own, then one of its contact (later)
            ["00v5g00000Cm002AAA", later, "", CONTACT, "Sent", "2025-02-01T01:00:00.000Z", "false"],
            [
                "00v5g00000Cm001AAA",
                campaign,
                LEAD,
                CONTACT,
                "Responded",
                "2025-01-06T01:00:00.000Z",
                "false",
            ],
        ],
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="salesforce"))
    assert rows(database, "select user_id, team, role from raw.users order by 1") == [
        (AE, "FS", "フィールドセールス"),
        (SDR, "IS東", "インサイドセールス"),  # its UserRoleId has 15 characters
    ]
    assert rows(database, "select lead_id, campaign_id from raw.leads order by 1") == [
        (LEAD, campaign),
        (LEAD_2, None),
    ]
    assert rows(database, "select campaign_id, channel, cost from raw.campaigns order by 1") == [
        (campaign, "Webinar", 300000),
        (later, "Trade Show", 1500000),
    ]
    assert any(
        "a later campaign of the lead" in note for note in results["Salesforce -> leads.csv"].notes
    )


def test_salesforce_data_loader_headers_and_missing_fields(tmp_path):
    folder = tmp_path / "sf"
    # Data Loader writes upper-case API names; this Lead export lacks the conversion fields
    write(
        folder,
        "Lead.csv",
        ["ID", "CREATEDDATE", "STATUS", "OWNERID", "JOB_LEVEL__C"],
        [[LEAD, "2025-01-06T01:00:00.000Z", "MQL", SDR, "部長"]],
    )
    # a Data Loader query of User with the role's name (SELECT Id, Name, UserRole.Name, Title):
    # the role name wins over the title; without either, the title is the role
    write(
        folder,
        "User.csv",
        ["ID", "NAME", "USERROLE.NAME", "TITLE"],
        [[SDR, "田中 太郎", "Inside Sales", "主任"], [AE, "高橋 健", "", "Account Executive"]],
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="salesforce"))
    assert rows(database, "select lead_id, status, owner_id, job_level from raw.leads") == [
        (LEAD, "MQL", SDR, "部長")
    ]
    assert rows(database, "select user_id, role from raw.users order by 1") == [
        (AE, "Account Executive"),
        (SDR, "Inside Sales"),
    ]
    notes = results["Lead.csv"].notes
    assert any(
        n.startswith("no ConvertedOpportunityId: converted leads cannot be linked") for n in notes
    )
    assert any(n.startswith("no ConvertedContactId") for n in notes)
    # a required field missing: the file fails, naming the Salesforce field
    write(folder, "Lead.csv", ["Id", "Status"], [[LEAD, "MQL"]])
    result = by_name(load_folder(folder, tmp_path / "other.duckdb", profile="salesforce"))[
        "Lead.csv"
    ]
    assert result.status == "failed"
    assert "Lead.csv: required column missing: CreatedDate" in result.error


def test_salesforce_reloading_changes_nothing_and_a_daily_export_only_its_changes(tmp_path):
    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    salesforce_basics(day1)
    salesforce_basics(day2)
    # the next day's Lead export: LEAD_2 changed status, LEAD as it was
    text = (day2 / "Lead.csv").read_text(encoding="utf-8")
    (day2 / "Lead.csv").write_text(
        text.replace(
            '"見送り","0055g00000SdR01AAA","false","","","","2025-01-06T00:00:00.000Z","2025-01-09T01:00:00.000Z","2025-01-09T01:00:00.000Z"',
            '"MQL","0055g00000SdR01AAA","false","","","","2025-01-06T00:00:00.000Z","2025-01-10T01:00:00.000Z","2025-01-10T01:00:00.000Z"',
        ),
        encoding="utf-8",
    )
    assert (day2 / "Lead.csv").read_text(encoding="utf-8") != text
    database = tmp_path / "db.duckdb"
    load_folder(day1, database, profile="salesforce")
    before = rows(database, "select lead_id, status, _load_id from raw.leads order by 1")
    audit = rows(database, "select count(*) from raw._load_audit")
    again = by_name(load_folder(day1, database, profile="salesforce"))
    assert again["Lead.csv"].status == "already loaded"
    assert rows(database, "select lead_id, status, _load_id from raw.leads order by 1") == before
    assert rows(database, "select count(*) from raw._load_audit") == audit
    load_folder(day2, database, profile="salesforce")
    after = rows(database, "select lead_id, status, _load_id from raw.leads order by 1")
    assert after[0] == before[0]  # unchanged: keeps its load
    assert after[1][1] == "MQL" and after[1][2] > before[1][2]


def test_hubspot_rules(tmp_path):
    folder = tmp_path / "hs"
    folder.mkdir()
    (folder / "hubspot-users-2025-03-31.csv").write_text(
        "User ID,First Name,Last Name,Email,Primary team\n"
        "9001,太郎,田中,taro@example.jp,インサイドセールス\n"
        "9002,健,高橋,ken@example.jp,フィールドセールス\n",
        encoding="utf-8",
    )
    (folder / "hubspot-crm-exports-all-contacts-2025-03-31.csv").write_text(
        "Record ID,Create Date,Last Modified Date,Lifecycle Stage,Lead Status,Contact owner,"
        "Owner assigned date,Original Source,Became a Lead Date,"
        "Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date\n"
        # owner written Last First; an override lead status at a pre-deal stage
        "101,2025-01-06 10:00,2025-01-10 17:00,Sales Qualified Lead,Connected,田中 太郎,"
        "2025-01-07 10:00,Referrals,2025-01-06 10:00,2025-01-07 10:00,2025-01-10 17:00\n"
        # New does not override; an owner by email
        "102,2025-01-08 09:00,2025-01-08 12:00,Marketing Qualified Lead,New,ken@example.jp,,"
        "Paid Search,,2025-01-08 12:00,\n",
        encoding="utf-8",
    )
    (folder / "hubspot-crm-exports-all-deals-2025-03-31.csv").write_text(
        "Record ID,Deal Stage,Amount,Close Date,Create Date,Deal owner,Associated Contact IDs,"
        'Is Closed Won,Is closed,"Date entered ""Closed Won (Sales Pipeline)"""\n'
        # a colleague (not exported) listed first, then 101 and 102: 101 was created first
        '501,Closed Won,"5,000,000",2025-02-20 10:00,2025-01-14 10:00,高橋 健,555;102;101,true,true,'
        "2025-02-20 10:00\n",
        encoding="utf-8",
    )
    (folder / "hubspot-crm-exports-all-calls-2025-03-31.csv").write_text(
        "Record ID,Activity date,Call outcome,Call direction,Call duration,Call status,"
        "Activity assigned to,Associated Contact IDs\n"
        "701,2025-01-07 10:30,Connected,Outbound,300000,Completed,田中 太郎,101\n"
        "702,2025-01-08 13:00,No answer,Outbound,0:02:05,Completed,田中 太郎,101;102\n"
        "703,2025-01-08 14:00,,Outbound,,Canceled,田中 太郎,102\n",
        encoding="utf-8",
    )
    (folder / "hubspot-crm-exports-all-meetings-2025-03-31.csv").write_text(
        "Record ID,Meeting start time,Meeting end time,Meeting outcome,Call and meeting type,"
        "Activity assigned to,Associated Contact IDs\n"
        "801,2025-01-20 14:00,2025-01-20 15:00,Completed,,高橋 健,101\n"
        "802,2025-01-21 14:00,2025-01-21 15:00,Canceled,,高橋 健,101\n",
        encoding="utf-8",
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="hubspot"))
    assert all(r.status in ("loaded", "derived") for r in results.values()), results
    assert rows(
        database, "select lead_id, owner_id, status, lead_source from raw.leads order by 1"
    ) == [
        ("101", "9001", "Connected", "Referrals"),
        ("102", "9002", "Marketing Qualified Lead", "Paid Search"),
    ]
    assert rows(
        database,
        "select history_id, field, old_value, new_value, changed_at::varchar "
        "from raw.lead_history order by lead_id, changed_at, history_id",
    ) == [
        ("101:lifecycle:lead", "status", None, "Lead", "2025-01-06 01:00:00+00"),
        (
            "101:lifecycle:marketingqualifiedlead",
            "status",
            "Lead",
            "Marketing Qualified Lead",
            "2025-01-07 01:00:00+00",
        ),
        ("101:owner", "owner", None, "9001", "2025-01-07 01:00:00+00"),
        (
            "101:lifecycle:salesqualifiedlead",
            "status",
            "Marketing Qualified Lead",
            "Sales Qualified Lead",
            "2025-01-10 08:00:00+00",
        ),
        (
            "102:lifecycle:marketingqualifiedlead",
            "status",
            None,
            "Marketing Qualified Lead",
            "2025-01-08 03:00:00+00",
        ),
    ]
    assert rows(
        database,
        "select opportunity_id, lead_id, owner_id, amount, close_date::varchar, closed_at::varchar "
        "from raw.opportunities",
    ) == [("501", "101", "9002", 5000000, "2025-02-20", "2025-02-20 01:00:00+00")]
    assert rows(
        database,
        "select activity_id, lead_id, user_id, activity_type, direction, outcome, duration_seconds "
        "from raw.activities order by 1",
    ) == [
        ("701", "101", "9001", "call", "outbound", "Connected", 300),
        ("702:101", "101", "9001", "call", "outbound", "No answer", 125),
        ("702:102", "102", "9001", "call", "outbound", "No answer", 125),
        ("801", "101", "9002", "meeting", None, None, 3600),
    ]
    notes = "\n".join(results["HubSpot -> activities.csv"].notes)
    assert "a call not made (Call status Canceled)" in notes
    assert "a meeting that did not take place (outcome Canceled)" in notes


def test_hubspot_users_export_without_user_ids_knows_each_user_by_email(tmp_path):
    folder = tmp_path / "hs"
    folder.mkdir()
    # Settings -> Users & Teams -> Export writes no User ID column
    (folder / "hubspot-users-2025-03-31.csv").write_text(
        "First Name,Last Name,Email,Primary team\n"
        "太郎,田中,Taro@Example.jp,インサイドセールス\n"
        "健,高橋,ken@example.jp,フィールドセールス\n",
        encoding="utf-8",
    )
    (folder / "hubspot-crm-exports-all-contacts-2025-03-31.csv").write_text(
        "Record ID,Create Date,Lifecycle Stage,Contact owner,Owner assigned date\n"
        "101,2025-01-06 10:00,Marketing Qualified Lead,田中 太郎,2025-01-07 10:00\n"
        "102,2025-01-08 09:00,Marketing Qualified Lead,ken@example.jp,2025-01-08 10:00\n",
        encoding="utf-8",
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="hubspot"))
    assert all(r.status in ("loaded", "derived") for r in results.values()), results
    # the user id is the lower-cased email; owners written by name or email find it
    assert rows(database, "select user_id, name, role from raw.users order by 1") == [
        ("ken@example.jp", "健 高橋", "フィールドセールス"),
        ("taro@example.jp", "太郎 田中", "インサイドセールス"),
    ]
    assert rows(database, "select lead_id, owner_id from raw.leads order by 1") == [
        ("101", "taro@example.jp"),
        ("102", "ken@example.jp"),
    ]


def test_marketo_activities_become_marketing_events_of_the_salesforce_leads(tmp_path):
    folder = tmp_path / "mk"
    folder.mkdir()
    (folder / "marketo-leads-2025-03-31.csv").write_text(
        f"Id,Email Address,Created At,SFDC Type,SFDC Lead ID\n1001,a@example.jp,2025-01-06,Contact,{LEAD}\n",
        encoding="utf-8",
    )
    (folder / "marketo-activities-2025-03-31.csv").write_text(
        "marketoGUID,leadId,activityDate,activityTypeId,activityType,primaryAttributeValue,attributes\n"
        "g1,1001,2025-01-06T02:00:00Z,10,Open Email,1月ウェビナー案内,\n"
        "g2,1001,2025-01-07T00:00:00Z,1,,https://www.example.jp/pricing?utm=x,\n"
        "g3,1001,2025-01-07T01:00:00Z,2,Fill Out Form,Demo Request Form,\n"
        '"g4",1001,2025-01-08T01:00:00Z,104,Change Status in Progression,Webinar 2025-01,'
        '"{""New Status"": ""Attended"", ""Old Status"": ""Registered""}"\n'
        '"g5",1001,2025-01-08T02:00:00Z,104,Change Status in Progression,Webinar 2025-01,'
        '"{""New Status"": ""No Show""}"\n'
        "g6,1001,2025-01-08T03:00:00Z,22,Change Score,Behavior Score,\n"
        "g7,2002,2025-01-09T03:00:00Z,1,Visit Web Page,www.example.jp/careers,\n",
        encoding="utf-8",
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="marketo"))
    assert rows(
        database,
        "select event_id, lead_id, event_type, asset from raw.marketing_events order by 1",
    ) == [
        ("g1", LEAD, "Open Email", "1月ウェビナー案内"),
        ("g2", LEAD, "Visit Web Page", "/pricing"),
        ("g3", LEAD, "demo_request", "Demo Request Form"),
        ("g4", LEAD, "seminar_attended", "Webinar 2025-01"),
        # no person export row: the Marketo lead id stays
        ("g7", "2002", "Visit Web Page", "/careers"),
    ]
    notes = "\n".join(results["Marketo -> marketing_events.csv"].notes)
    assert "1 not used: not an engagement (Change Score): not a marketing event" in notes
    assert "1 not used: a program status that is no marketing event (No Show)" in notes


def test_vendor_profile_options_and_mistakes_are_clear_errors(tmp_path):
    path = tmp_path / "mine.yml"
    text = (Path(load_profile("marketo").source)).read_text(encoding="utf-8")
    path.write_text(
        text + "options:\n  form_event_types: {'*お見積*': quote_request}\n", encoding="utf-8"
    )
    assert load_profile(path).options["form_event_types"] == {"*お見積*": "quote_request"}
    for extra, message in [
        ("options:\n  form_types: {}\n", "unknown option 'form_types'"),
        ("options:\n  form_event_types: [demo]\n", "options.form_event_types: expected a mapping"),
    ]:
        path.write_text(text + extra, encoding="utf-8")
        with pytest.raises(UsageError, match=message):
            load_profile(path)
    path.write_text(text.replace("vendor: marketo", "vendor: eloqua"), encoding="utf-8")
    with pytest.raises(UsageError, match="unknown vendor 'eloqua'"):
        load_profile(path)
    with pytest.raises(UsageError, match="import profile nope not found"):
        run_load(tmp_path, tmp_path / "db.duckdb", profile="salesforce,nope")


def test_pardot_visitor_activities_become_marketing_events(tmp_path):
    folder = tmp_path / "pd"
    folder.mkdir()
    (folder / "pardot-prospects.csv").write_text(
        f"id,email,crmLeadFid,createdAt\n77,a@example.jp,{LEAD},2025-01-06T10:00:00+09:00\n",
        encoding="utf-8",
    )
    (folder / "pardot-visitor-activities.csv").write_text(
        "id,prospectId,type,typeName,details,createdAt\n"
        "1,77,11,Email,1月ウェビナー案内,2025-01-06T11:00:00+09:00\n"
        "2,77,2,Visitor,https://www.example.jp/pricing,2025-01-07T09:00:00+09:00\n"
        "3,77,4,Form,デモ依頼フォーム,2025-01-07T10:00:00+09:00\n"
        "4,77,4,Form,メルマガ登録,2025-01-07T10:05:00+09:00\n"
        "5,77,1,File,whitepaper-dx.pdf,2025-01-07T10:10:00+09:00\n"
        "6,77,6,Email,1月ウェビナー案内,2025-01-06T10:59:00+09:00\n"
        "7,77,Attended Webinar,Webinar,DX webinar,2025-01-20T15:00:00+09:00\n",
        encoding="utf-8",
    )
    database = tmp_path / "db.duckdb"
    results = by_name(load_folder(folder, database, profile="pardot"))
    assert rows(
        database, "select event_id, lead_id, event_type, asset from raw.marketing_events order by 1"
    ) == [
        ("1", LEAD, "email_open", "1月ウェビナー案内"),
        ("2", LEAD, "page_view", "/pricing"),
        ("3", LEAD, "demo_request", "デモ依頼フォーム"),
        ("4", LEAD, "form_submit", "メルマガ登録"),
        ("5", LEAD, "content_download", "whitepaper-dx.pdf"),
        ("7", LEAD, "webinar_attended", "DX webinar"),
    ]
    assert "1 not used: not an engagement (Sent / Email): not a marketing event" in "\n".join(
        results["Pardot -> marketing_events.csv"].notes
    )
