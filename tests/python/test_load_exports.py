"""Tests for scripts/load_exports.py and lead_analytics.loader: every rule of the export contract."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from lead_analytics.contract import EXPORT_FILES
from lead_analytics.errors import UsageError
from lead_analytics.loader import core as loader
from lead_analytics.loader import files as loader_files
from lead_analytics.loader.core import load_folder

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "scripts" / "load_exports.py"

LEADS_HEADER = "lead_id,created_at,updated_at,company_name,employee_count,budget_confirmed,status"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def load(folder: Path, db: Path, **kwargs) -> dict[str, loader.FileResult]:
    kwargs.setdefault("source_timezone", "Asia/Tokyo")
    return {r.file_name: r for r in load_folder(folder, db, **kwargs)}


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def quarantine(db: Path) -> list[tuple[int, str, str]]:
    return query(
        db,
        "SELECT line_number, reason, raw_row FROM raw._quarantine ORDER BY _load_id, line_number",
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CLI), *args], capture_output=True, text=True, timeout=120, env=env
    )


def assert_counts_add_up(results: dict[str, loader.FileResult]) -> None:
    for result in results.values():
        assert result.rows_read == result.rows_loaded + result.rows_quarantined, result


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


# --------------------------------------------------------------------------- timestamps


def test_accepted_timestamp_forms_become_utc_instants(tmp_path: Path, db: Path) -> None:
    forms = {
        "T1": ("2025-01-10 09:30", utc(2025, 1, 10, 0, 30)),  # local Tokyo
        "T2": ("2025/1/5 9:05", utc(2025, 1, 5, 0, 5)),
        "T3": ("2025-01-10T09:30:00Z", utc(2025, 1, 10, 9, 30)),
        "T4": ("2025-01-10T09:30:00+09:00", utc(2025, 1, 10, 0, 30)),
        "T5": ("2025-01-10T09:30:00+0900", utc(2025, 1, 10, 0, 30)),
        "T6": ("2025-01-10T09:30:00-05:00", utc(2025, 1, 10, 14, 30)),
        "T7": ("2025/01/10 09:30:15", utc(2025, 1, 10, 0, 30, 15)),
        "T8": ("2025-01-10 09:30:00.250", utc(2025, 1, 10, 0, 30, 0, 250000)),
        "T9": ("2025-01-10", utc(2025, 1, 9, 15, 0)),  # bare date = midnight local
        "T10": ("2025/1/10", utc(2025, 1, 9, 15, 0)),
        "T11": ("2025-01-10T09:30", utc(2025, 1, 10, 0, 30)),
        # an offset after minutes, without seconds (DuckDB's own cast refuses these)
        "T12": ("2025-01-10T09:30+09:00", utc(2025, 1, 10, 0, 30)),
        "T13": ("2025-01-10T00:30Z", utc(2025, 1, 10, 0, 30)),
        "T14": ("2025/01/10 9:30+0900", utc(2025, 1, 10, 0, 30)),
        "T15": ("2025-01-10 09:30:00.5+09:00", utc(2025, 1, 10, 0, 30, 0, 500000)),
        # ISO 8601 basic format
        "T16": ("20250110T093000+0900", utc(2025, 1, 10, 0, 30)),
        "T17": ("20250110T0930Z", utc(2025, 1, 10, 9, 30)),
        "T18": ("20250110T093015", utc(2025, 1, 10, 0, 30, 15)),  # local Tokyo
        "T19": ("20250110T093000.25-05:00", utc(2025, 1, 10, 14, 30, 0, 250000)),
        "T20": ("20250110T0930+09", utc(2025, 1, 10, 0, 30)),
        "T21": ("20250110", utc(2025, 1, 9, 15, 0)),
    }
    body = "".join(f"{key},{text}\n" for key, (text, _) in forms.items())
    write(tmp_path / "in", "leads.csv", "lead_id,created_at\n" + body)
    results = load(tmp_path / "in", db)
    assert results["leads.csv"].rows_quarantined == 0
    got = dict(query(db, "SELECT lead_id, created_at FROM raw.leads"))
    assert got == {key: expected for key, (_, expected) in forms.items()}


def test_source_timezone_applies_to_timestamps_without_offset(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "leads.csv",
        "lead_id,created_at\nL1,2025-01-10 09:30\nL2,2025-01-10T09:30:00+09:00\n",
    )
    load(tmp_path / "in", db, source_timezone="UTC")
    got = dict(query(db, "SELECT lead_id, created_at FROM raw.leads"))
    assert got == {"L1": utc(2025, 1, 10, 9, 30), "L2": utc(2025, 1, 10, 0, 30)}


def test_daylight_saving_zones_and_old_dates_use_the_zone_rules(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "users.csv", "user_id,role\nU1,sdr\n")
    write(
        folder,
        "activities.csv",
        "activity_id,lead_id,activity_type,occurred_at\n"
        "A1,L1,call,2025-07-01 09:00\n"  # EDT, UTC-4
        "A2,L1,call,2025-01-10 09:00\n",  # EST, UTC-5
    )
    load(folder, db, source_timezone="America/New_York")
    assert dict(query(db, "SELECT activity_id, occurred_at FROM raw.activities")) == {
        "A1": utc(2025, 7, 1, 13, 0),
        "A2": utc(2025, 1, 10, 14, 0),
    }
    # Tokyo has a fixed offset since 1951 (fast path); 1950 had summer time (zone rules).
    # 1950 is before the default floor of plausible instants (2000-01-01): lowered here
    write(folder, "leads.csv", "lead_id,created_at\nL1,1950-06-01 09:00\nL2,2025-06-01 09:00\n")
    load(folder, db, source_timezone="Asia/Tokyo", earliest=date(1900, 1, 1))
    assert dict(query(db, "SELECT lead_id, created_at FROM raw.leads")) == {
        "L1": utc(1950, 5, 31, 23, 0),
        "L2": utc(2025, 6, 1, 0, 0),
    }


def test_unparseable_timestamps_are_quarantined_with_reason(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "leads.csv",
        "lead_id,created_at,updated_at\n"
        "L1,2025-13-45 25:00,\n"
        "L2,2025-02-30 10:00,\n"
        "L3,10/01/2025 09:30,\n"
        "L4,2025-01-10 09:30,yesterday\n"
        "L5,infinity,\n"
        "L6,2025-01-10 9:5,\n"
        "L7,2025-01-10 09:30,2025-01-11 10:00\n"
        "L8,2025-01-10 09:30 +09:00,\n"
        "L9,2025-01-10T09:30:00+9,\n"
        # basic format: a month 13, an hour without minutes, a mixed form, a short date
        "L10,20251310T0930,\n"
        "L11,20250110T09,\n"
        "L12,20250110T09:30,\n"
        "L13,2025011,\n",
    )
    results = load(tmp_path / "in", db)
    assert (results["leads.csv"].rows_loaded, results["leads.csv"].rows_quarantined) == (1, 12)
    rows = quarantine(db)
    assert [r[0] for r in rows] == [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14]
    assert rows[0][1] == "unparseable timestamp in created_at: '2025-13-45 25:00'"
    assert rows[3][1] == "unparseable timestamp in updated_at: 'yesterday'"
    assert json.loads(rows[0][2]) == {
        "lead_id": "L1",
        "created_at": "2025-13-45 25:00",
        "updated_at": "",
    }
    assert query(db, "SELECT lead_id FROM raw.leads") == [("L7",)]


def test_dates_accept_dash_and_slash(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "opportunities.csv",
        "opportunity_id,created_at,close_date,amount\n"
        'O1,2025-01-10,2025-03-31,"1,500,000"\n'
        "O2,2025-01-10,2025/4/1,2500.5\n"
        "O3,2025-01-10,31/03/2025,\n"
        "O4,2025-01-10,,1.2.3\n",
    )
    load(tmp_path / "in", db)
    assert query(
        db, "SELECT opportunity_id, close_date, amount FROM raw.opportunities ORDER BY 1"
    ) == [
        ("O1", date(2025, 3, 31), Decimal("1500000.00")),
        ("O2", date(2025, 4, 1), Decimal("2500.50")),
    ]
    assert [r[1] for r in quarantine(db)] == [
        "unparseable date in close_date: '31/03/2025'",
        "bad decimal in amount: '1.2.3'",
    ]


# --------------------------------------------------------------------------- values


def test_booleans_accept_the_contract_words_and_quarantine_others(tmp_path: Path, db: Path) -> None:
    words = ["true", "FALSE", "1", "0", "Yes", "no", "t", "F", "y", "N", "", "  "]
    body = "".join(f"A{i},L1,call,2025-01-10 09:00,{w}\n" for i, w in enumerate(words))
    body += "A99,L1,call,2025-01-10 09:00,maybe\n"
    write(
        tmp_path / "in",
        "activities.csv",
        "activity_id,lead_id,activity_type,occurred_at,is_automated\n" + body,
    )
    results = load(tmp_path / "in", db)
    got = dict(query(db, "SELECT activity_id, is_automated FROM raw.activities"))
    expected = [True, False, True, False, True, False, True, False, True, False, None, None]
    assert got == {f"A{i}": value for i, value in enumerate(expected)}
    assert results["activities.csv"].rows_quarantined == 1
    assert quarantine(db)[0][:2] == (len(words) + 2, "bad boolean in is_automated: 'maybe'")


def test_thousands_separators_are_stripped_and_junk_quarantined(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "leads.csv",
        "lead_id,created_at,employee_count,timeframe_months\n"
        'L1,2025-01-10,"1,200",3\n'
        'L2,2025-01-10,"1,234,567", 12 \n'
        "L3,2025-01-10,abc,\n"
        'L4,2025-01-10,"1,2,3",\n'
        "L5,2025-01-10,12.5,\n",
    )
    load(tmp_path / "in", db)
    assert query(
        db, "SELECT lead_id, employee_count, timeframe_months FROM raw.leads ORDER BY 1"
    ) == [
        ("L1", 1200, 3),
        ("L2", 1234567, 12),
    ]
    assert [r[1] for r in quarantine(db)] == [
        "bad integer in employee_count: 'abc'",
        "bad integer in employee_count: '1,2,3'",
        "bad integer in employee_count: '12.5'",
    ]


def test_missing_required_values_are_quarantined(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "leads.csv",
        f'{LEADS_HEADER}\nL1,2025-01-10,,,,,\n,2025-01-10,,Acme,,,\nL3,   ,,,,,\n"  ",,,,,,\n',
    )
    results = load(tmp_path / "in", db)
    assert (results["leads.csv"].rows_loaded, results["leads.csv"].rows_quarantined) == (1, 3)
    assert [r[:2] for r in quarantine(db)] == [
        (3, "missing required value: lead_id"),
        (4, "missing required value: created_at"),
        (5, "missing required value: lead_id; missing required value: created_at"),
    ]


def test_empty_strings_are_null_and_text_is_trimmed(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "leads.csv",
        "lead_id,created_at,company_name,status\n  L1 ,2025-01-10,  Acme  ,\n",
    )
    load(tmp_path / "in", db)
    assert query(db, "SELECT lead_id, company_name, status FROM raw.leads") == [
        ("L1", "Acme", None)
    ]


def test_tabs_full_width_and_no_break_spaces_are_trimmed_too(tmp_path: Path, db: Path) -> None:
    # a spreadsheet "cleared" with a full-width space (U+3000), a tab left by a copy, a
    # no-break space (U+00A0) from a web form: trimmed like spaces, and a value of
    # blanks only is empty (null), in every type; blanks inside a value stay
    write(
        tmp_path / "in",
        "leads.csv",
        "lead_id,created_at,company_name,employee_count,budget_confirmed,industry\n"
        "L1\u3000,\u30002025-01-10\t,株式会社\u3000エー\u3000,\u3000,\u3000yes\u3000,\u3000\n"
        '\tL2,2025-01-10, Beta\u00a0,"1,200\t",\t,\u00a0\u3000\n',
    )
    results = load(tmp_path / "in", db)
    assert results["leads.csv"].rows_quarantined == 0, quarantine(db)
    assert query(
        db,
        "SELECT lead_id, created_at, company_name, employee_count, budget_confirmed, industry "
        "FROM raw.leads ORDER BY 1",
    ) == [
        ("L1", utc(2025, 1, 9, 15), "株式会社\u3000エー", None, True, None),
        ("L2", utc(2025, 1, 9, 15), "Beta", 1200, None, None),
    ]


# --------------------------------------------------------------------------- duplicates


def test_conflicting_duplicate_ids_keep_the_first_and_quarantine_later_ones(
    tmp_path: Path, db: Path
) -> None:
    write(
        tmp_path / "in",
        "activities.csv",
        "activity_id,lead_id,activity_type,occurred_at\n"
        "A1,L1,call,2025-01-10 09:00\n"
        "A2,L1,email,2025-01-10 09:00\n"
        "A1,L1,meeting,2025-01-10 09:00\n"
        "A1,L2,call,2025-01-11 09:00\n",
    )
    results = load(tmp_path / "in", db)
    assert (results["activities.csv"].rows_loaded, results["activities.csv"].rows_quarantined) == (
        2,
        2,
    )
    assert query(db, "SELECT activity_id, activity_type FROM raw.activities ORDER BY 1") == [
        ("A1", "call"),
        ("A2", "email"),
    ]
    assert [r[:2] for r in quarantine(db)] == [
        (4, "duplicate activity_id 'A1' with different content (first at line 2)"),
        (5, "duplicate activity_id 'A1' with different content (first at line 2)"),
    ]
    assert json.loads(quarantine(db)[0][2])["activity_type"] == "meeting"


def test_exact_duplicates_are_collapsed_and_counted_as_loaded(tmp_path: Path, db: Path) -> None:
    row = "E1,L1,page_view,2025-01-10 09:00,/pricing,\n"
    write(
        tmp_path / "in",
        "marketing_events.csv",
        "event_id,lead_id,event_type,occurred_at,asset,campaign_id\n"
        + row
        + row
        + "E2,L1,form_submit,2025-01-10,,\n"
        + row,
    )
    results = load(tmp_path / "in", db)
    result = results["marketing_events.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 4, 0)
    assert query(
        db, "SELECT event_id, count(*) FROM raw.marketing_events GROUP BY 1 ORDER BY 1"
    ) == [
        ("E1", 1),
        ("E2", 1),
    ]


def test_duplicate_detection_compares_typed_values(tmp_path: Path, db: Path) -> None:
    # the same instant written two ways is the same content: collapsed, not a conflict
    write(
        tmp_path / "in",
        "activities.csv",
        "activity_id,lead_id,activity_type,occurred_at\nA1,L1,call,2025-01-10 09:00\nA1,L1,call,2025-01-10T00:00:00Z\n",
    )
    results = load(tmp_path / "in", db)
    assert (results["activities.csv"].rows_loaded, results["activities.csv"].rows_quarantined) == (
        2,
        0,
    )


def test_lead_history_uses_fallback_key_when_history_id_is_empty(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "lead_history.csv",
        "history_id,lead_id,changed_at,field,old_value,new_value\n"
        "H1,L1,2025-01-10 09:00,status,新規,対応中\n"
        ",L1,2025-01-11 09:00,status,対応中,商談化\n"
        ",L1,2025-01-11 09:00,status,対応中,商談化\n"
        ",L1,2025-01-11 09:00,status,新規,商談化\n"
        ",L1,2025-01-12 09:00,owner,U1,\n",
    )
    results = load(tmp_path / "in", db)
    assert (
        results["lead_history.csv"].rows_loaded,
        results["lead_history.csv"].rows_quarantined,
    ) == (4, 1)
    assert quarantine(db)[0][:2] == (
        5,
        "duplicate (lead_id, changed_at, field, new_value) ('L1', '2025-01-11 09:00:00+09', 'status', '商談化') "
        "with different content (first at line 3)",
    )
    assert query(db, "SELECT count(*) FROM raw.lead_history") == [(3,)]


# --------------------------------------------------------------------------- headers


def test_headers_are_case_insensitive_trimmed_and_bom_is_ignored(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "Leads.CSV",
        "\ufeff Created_AT ,LEAD_ID,  Company_Name\n2025-01-10 09:30,L1,Acme\n",
        encoding="utf-8",
    )
    results = load(tmp_path / "in", db)
    assert results["Leads.CSV"].encoding == "utf-8-sig"
    assert query(db, "SELECT lead_id, company_name, created_at FROM raw.leads") == [
        ("L1", "Acme", utc(2025, 1, 10, 0, 30))
    ]


def test_header_names_quoted_after_a_space_are_matched(tmp_path: Path, db: Path) -> None:
    # `, "created_at" ,`: the quote does not open the field, so the csv module keeps it
    write(
        tmp_path / "in",
        "leads.csv",
        'lead_id, "created_at" , "Company_Name"\nL1,2025-01-10 09:30,Acme\n',
    )
    results = load(tmp_path / "in", db)
    assert results["leads.csv"].rows_loaded == 1
    assert query(db, "SELECT lead_id, company_name, created_at FROM raw.leads") == [
        ("L1", "Acme", utc(2025, 1, 10, 0, 30))
    ]


def test_unknown_extra_columns_are_kept_as_varchar(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    write(
        folder, "leads.csv", "lead_id,created_at,メモ, Custom Field \nL1,2025-01-10,要フォロー,42\n"
    )
    load(folder, db)
    assert query(db, 'SELECT lead_id, "メモ", "custom field" FROM raw.leads') == [
        ("L1", "要フォロー", "42")
    ]
    types = dict(
        query(
            db,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'leads'",
        )
    )
    assert types["custom field"] == "VARCHAR"
    # names the loader uses itself, and DuckDB's row id, are kept under a suffixed name
    write(folder, "users.csv", "user_id,role,_err,_source_line,_LD_C0,RowID\nU1,sdr,a,b,c,7\n")
    load(folder, db)
    assert query(
        db, 'SELECT "_err_2", "_source_line_2", x_ld_c0, rowid_2, _source_line FROM raw.users'
    ) == [("a", "b", "c", "7", 2)]
    # a later export with yet another column: the table grows, old rows get NULL
    write(folder, "leads.csv", "lead_id,created_at,score_band\nL2,2025-01-11,A\n")
    load(folder, db)
    assert query(db, 'SELECT lead_id, score_band, "メモ" FROM raw.leads ORDER BY 1') == [
        ("L1", None, "要フォロー"),
        ("L2", "A", None),
    ]


def test_missing_required_column_fails_that_file_only(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "users.csv", "user_id,role\nU1,sdr\n")  # valid: loads
    write(folder, "leads.csv", "lead_id,company_name\nL1,Acme\n")  # created_at missing
    results = load(folder, db)
    assert results["leads.csv"].status == "failed"
    assert results["leads.csv"].error == (
        "leads.csv: required column missing: created_at (found: lead_id, company_name; "
        "a vendor export may need --profile); nothing from this file was loaded"
    )
    assert query(db, "SELECT count(*) FROM raw.leads") == [(0,)]
    assert (results["users.csv"].status, results["users.csv"].rows_loaded) == ("loaded", 1)
    # the failure is on record beside the load of users.csv
    assert query(db, "SELECT file_name, status FROM raw._load_audit ORDER BY file_name") == [
        ("leads.csv", "failed"),
        ("users.csv", "loaded"),
    ]
    proc = run_cli(str(folder), "--duckdb", str(tmp_path / "other.duckdb"), "--quiet")
    assert proc.returncode == 1
    assert "leads.csv" in proc.stderr and "created_at" in proc.stderr
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- broken CSV


def test_broken_csv_lines_are_quarantined_with_line_numbers(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "users.csv",
        "user_id,role,name\n"
        "U1,sdr,Sato\n"
        "U2,ae,Suzuki,extra\n"  # too many fields
        "U3,ae\n"  # too few fields
        "U4,manager,Tanaka\n"
        "\n"  # blank line: skipped, still counted in line numbers
        "U5,bdr,Ito\n"
        'U6,ae,"Kato\n',  # unterminated quote at the end
    )
    results = load(tmp_path / "in", db)
    result = results["users.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (6, 3, 3)
    rows = quarantine(db)
    assert [(r[0], r[2]) for r in rows] == [
        (3, "U2,ae,Suzuki,extra"),
        (4, "U3,ae"),
        (8, 'U6,ae,"Kato\n'),
    ]
    assert rows[0][1].startswith("broken CSV line (too many columns)")
    assert rows[1][1].startswith("broken CSV line (missing columns)")
    assert "unterminated quote" in rows[2][1]
    assert query(db, "SELECT user_id, _source_line FROM raw.users ORDER BY 1") == [
        ("U1", 2),
        ("U4", 5),
        ("U5", 7),
    ]


def test_long_free_text_fields_load_whole(tmp_path: Path, db: Path) -> None:
    # Records past DuckDB's default limit of 2,000,000 bytes: 2.5 MB of ASCII, and 700,000
    # Japanese characters (2.1 MB of UTF-8, which a cut at 2,000,000 bytes would split).
    ascii_title = "x" * 2_500_000
    japanese_title = "あ" * 700_000
    write(
        tmp_path / "in",
        "leads.csv",
        "lead_id,created_at,job_title\n"
        f"L1,2025-01-10 09:30,{ascii_title}\n"
        f"L2,2025-01-10 09:30,{japanese_title}\n"
        "L3,2025-01-10 09:30,Manager\n",
    )
    result = load(tmp_path / "in", db)["leads.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 3, 0)
    assert query(db, "SELECT lead_id, length(job_title) FROM raw.leads ORDER BY 1") == [
        ("L1", 2_500_000),
        ("L2", 700_000),
        ("L3", 7),
    ]


def test_a_record_over_the_size_limit_is_quarantined_with_its_reason(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_RECORD_BYTES", 2_000_000)
    write(
        tmp_path / "in",
        "leads.csv",
        "lead_id,created_at,job_title\n"
        "L1,2025-01-10 09:30,Staff\n"
        f"L2,2025-01-10 09:30,{'x' * 2_500_000}\n"
        "L3,2025-01-10 09:30,Manager\n",
    )
    result = load(tmp_path / "in", db)["leads.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    [(line, reason)] = query(db, "SELECT line_number, reason FROM raw._quarantine")
    assert line == 3
    assert reason and "broken CSV line" in reason


def test_broken_lines_of_a_crlf_file_keep_their_text(tmp_path: Path, db: Path) -> None:
    # the same broken lines as above, with Windows line endings: the quarantined text is the
    # line itself, without the line break before it
    write(
        tmp_path / "in",
        "users.csv",
        "user_id,role,name\r\nU1,sdr,Sato\r\nU2,ae,Suzuki,extra\r\nU3,ae\r\nU4,manager,Tanaka\r\n",
    )
    result = load(tmp_path / "in", db)["users.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    assert [(r[0], r[2]) for r in quarantine(db)] == [(3, "U2,ae,Suzuki,extra"), (4, "U3,ae")]


def test_quoted_values_with_commas_quotes_and_crlf(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "campaigns.csv",
        'campaign_id,name,cost\r\nC1,"Expo, Tokyo ""2025""","1,000"\r\nC2,Web,\r\n',
    )
    load(tmp_path / "in", db)
    assert query(
        db, "SELECT campaign_id, name, cost, _source_line FROM raw.campaigns ORDER BY 1"
    ) == [
        ("C1", 'Expo, Tokyo "2025"', Decimal("1000.00"), 2),
        ("C2", "Web", None, 3),
    ]


def test_mixed_line_endings_are_normalised(tmp_path: Path, db: Path) -> None:
    write(tmp_path / "in", "users.csv", "user_id,role\nU1,sdr\r\nU2,ae\nU3,ae\r\n")
    results = load(tmp_path / "in", db)
    assert results["users.csv"].status == "loaded"
    assert query(db, "SELECT user_id, role, _source_line FROM raw.users ORDER BY 1") == [
        ("U1", "sdr", 2),
        ("U2", "ae", 3),
        ("U3", "ae", 4),
    ]


def test_line_numbers_stay_physical_with_multiline_values_and_blank_lines(
    tmp_path: Path, db: Path
) -> None:
    write(
        tmp_path / "in",
        "users.csv",
        "user_id,role,name\n"
        'U1,sdr,"two\nlines"\n'  # lines 2-3
        "\n"  # line 4: blank
        'U2,ae,"a\n\nb"\n'  # lines 5-7, a blank line inside the quotes
        "U3,ae,x\n"  # line 8
        'U4,ae,"open\n'  # line 9: an unclosed quote swallows lines 9-10 into a broken record
        'U5,close",extra\n'
        "U6,ae,y\n"  # line 11
        "\n\n",  # trailing blank lines
    )
    result = load(tmp_path / "in", db)["users.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 4, 1)
    assert result.notes == []
    assert query(db, "SELECT user_id, _source_line FROM raw.users ORDER BY 1") == [
        ("U1", 2),
        ("U2", 5),
        ("U3", 8),
        ("U6", 11),
    ]
    assert [r[:1] + r[2:] for r in quarantine(db)] == [(9, 'U4,ae,"open\nU5,close",extra')]


def test_record_numbers_are_kept_with_a_note_when_the_parsers_disagree(
    tmp_path: Path, db: Path, monkeypatch
) -> None:
    # if Python's csv module and DuckDB ever count records differently, line numbers count
    # DuckDB's records (a value spanning lines counts as one) and a note says so
    write(tmp_path / "in", "users.csv", 'user_id,role,name\nU1,sdr,"x\ny"\nU2,ae,z\n')
    monkeypatch.setattr(
        loader, "record_layout", lambda _path: loader_files.RecordLayout(9, [], [], [])
    )
    result = load(tmp_path / "in", db)["users.csv"]
    assert (result.rows_read, result.rows_loaded) == (2, 2)
    assert any("count CSV records" in note for note in result.notes)
    assert query(db, "SELECT user_id, _source_line FROM raw.users ORDER BY 1") == [
        ("U1", 2),
        ("U2", 3),
    ]


def test_line_numbers_follow_the_file_in_a_file_read_in_parallel(tmp_path: Path, db: Path) -> None:
    # ~10 MB: DuckDB reads it with several threads; rows must still be numbered in file order
    # (a boolean column once made the optimizer add hash joins that reordered row groups)
    n = 600_000
    rows = "".join(f"U{i:07d},sdr,{'true' if i % 3 else 'no'}\n" for i in range(n))
    tail = "U0000007,ae,true\nU0599990,sdr,maybe\n"  # a conflicting duplicate, a bad boolean
    write(tmp_path / "in", "users.csv", "user_id,role,is_active\n" + rows + tail)
    result = load(tmp_path / "in", db)["users.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (n + 2, n, 2)
    assert query(
        db,
        "SELECT count(*) FROM raw.users "
        "WHERE _source_line <> 2 + CAST(substr(user_id, 2) AS BIGINT)",
    ) == [(0,)]
    rows = quarantine(db)
    assert [r[:2] for r in rows] == [
        (n + 2, "duplicate user_id 'U0000007' with different content (first at line 9)"),
        (n + 3, "bad boolean in is_active: 'maybe'"),
    ]
    assert json.loads(rows[0][2]) == {"user_id": "U0000007", "role": "ae", "is_active": "true"}


def test_the_staging_plan_is_checked_for_operators_that_reorder_rows() -> None:
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE src AS SELECT range AS x FROM range(10)")
        loader.check_streaming_plan(
            con, "CREATE TEMP TABLE t AS SELECT x + 1 AS y FROM src WHERE x > 2"
        )
        with pytest.raises(RuntimeError, match="would not keep the file order"):
            loader.check_streaming_plan(
                con, "CREATE TEMP TABLE t AS SELECT x IN (1, 2, 3, 4, 5, 6) AS y FROM src"
            )
    finally:
        con.close()


def test_raw_rows_of_conflicting_duplicates_keep_quotes_line_breaks_and_spaces(
    tmp_path: Path, db: Path
) -> None:
    # the raw strings of conflicting duplicates are read back from the file by line number
    write(
        tmp_path / "in",
        "users.csv",
        'user_id,role,name\r\nU1,sdr,"a\r\nb"\r\n U1 ,ae,"x, ""y"""\r\nU2,ae,\r\nU1,ae,"two\r\nlines"\r\n',
    )
    result = load(tmp_path / "in", db)["users.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    rows = quarantine(db)
    assert [r[0] for r in rows] == [4, 6]
    assert [json.loads(r[2]) for r in rows] == [
        {"user_id": " U1 ", "role": "ae", "name": 'x, "y"'},
        {"user_id": "U1", "role": "ae", "name": "two\r\nlines"},
    ]


def test_raw_rows_of_conflicting_duplicates_when_records_do_not_line_up(
    tmp_path: Path, db: Path, monkeypatch
) -> None:
    # line numbers count records: DuckDB reads the file again for the raw strings
    write(tmp_path / "in", "users.csv", 'user_id,role,name\nU1,sdr,"x\ny"\nU1,ae,z\n')
    monkeypatch.setattr(
        loader, "record_layout", lambda _path: loader_files.RecordLayout(9, [], [], [])
    )
    result = load(tmp_path / "in", db)["users.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    assert any("count CSV records" in note for note in result.notes)
    rows = quarantine(db)
    assert rows[0][0] == 3
    assert json.loads(rows[0][2]) == {"user_id": "U1", "role": "ae", "name": "z"}


def test_raw_rows_of_conflicting_duplicates_in_a_cp932_file(tmp_path: Path, db: Path) -> None:
    write(
        tmp_path / "in",
        "users.csv",
        "user_id,role,name\nU1,sdr,佐藤\nU2,ae,鈴木\nU1,ae,①高橋\n",
        encoding="cp932",
    )
    result = load(tmp_path / "in", db)["users.csv"]
    assert (result.encoding, result.rows_loaded, result.rows_quarantined) == ("cp932", 2, 1)
    rows = quarantine(db)
    assert rows[0][0] == 4
    assert json.loads(rows[0][2]) == {"user_id": "U1", "role": "ae", "name": "①高橋"}


def test_old_mac_line_ends_and_mixed_line_ends(tmp_path: Path, db: Path) -> None:
    write(tmp_path / "in", "users.csv", "user_id,role\rU1,sdr\rU2,ae\r")
    result = load(tmp_path / "in", db)["users.csv"]
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    assert query(db, "SELECT user_id, role, _source_line FROM raw.users ORDER BY 1") == [
        ("U1", "sdr", 2),
        ("U2", "ae", 3),
    ]


# --------------------------------------------------------------------------- encodings


JAPANESE_LEADS = (
    "lead_id,created_at,company_name,lead_source,status,メモ\n"
    "L1,2025/01/10 09:30,株式会社テスト,展示会,新規,①要フォロー\n"
    "L2,2025/01/11 10:00,ＡＢＣ商事,資料DL,対応中,～\n"
)


def _japanese_rows(db: Path) -> list[tuple]:
    return query(
        db, 'SELECT lead_id, company_name, lead_source, status, "メモ" FROM raw.leads ORDER BY 1'
    )


def test_cp932_is_detected_automatically(tmp_path: Path, db: Path) -> None:
    write(tmp_path / "in", "leads.csv", JAPANESE_LEADS, encoding="cp932")
    results = load(tmp_path / "in", db)
    assert results["leads.csv"].encoding == "cp932"
    assert _japanese_rows(db) == [
        ("L1", "株式会社テスト", "展示会", "新規", "①要フォロー"),
        ("L2", "ＡＢＣ商事", "資料DL", "対応中", "～"),
    ]
    assert query(db, "SELECT encoding FROM raw._load_audit") == [("cp932",)]


def test_cp932_forced_from_the_cli(tmp_path: Path, db: Path) -> None:
    write(tmp_path / "in", "leads.csv", JAPANESE_LEADS, encoding="cp932")
    proc = run_cli(str(tmp_path / "in"), "--duckdb", str(db), "--encoding", "cp932", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert [r[1] for r in _japanese_rows(db)] == ["株式会社テスト", "ＡＢＣ商事"]


def test_utf8_forced_on_a_cp932_file_names_the_byte_offset(tmp_path: Path, db: Path) -> None:
    text = "lead_id,created_at,company_name\nL1,2025-01-10,株式会社テスト\n"
    write(tmp_path / "in", "leads.csv", text, encoding="cp932")
    offset = len("lead_id,created_at,company_name\nL1,2025-01-10,")
    result = load(tmp_path / "in", db, encoding="utf-8")["leads.csv"]
    assert result.status == "failed"
    assert result.error.startswith(
        f"leads.csv: cannot decode the file as UTF-8 (invalid byte at line 2, offset {offset})"
    )
    assert query(db, "SELECT count(*) FROM raw.leads") == [(0,)]
    # a Japanese header is checked first: the file fails before any of its rows is read
    write(tmp_path / "in", "leads.csv", JAPANESE_LEADS, encoding="cp932")
    result = load(tmp_path / "in", db, encoding="utf-8")["leads.csv"]
    assert result.status == "failed"
    assert result.error.startswith("leads.csv: cannot decode the header row as utf-8")
    assert query(db, "SELECT count(*) FROM raw.leads") == [(0,)]


def test_cp932_found_only_deep_in_the_file_is_still_detected(tmp_path: Path, db: Path) -> None:
    rows = "".join(f"U{i},sdr,Name {i}\n" for i in range(300_000))  # > the first 4 MB sniffed
    write(tmp_path / "in", "users.csv", "user_id,role,name\n" + rows + "U_last,ae,佐藤\n", "cp932")
    result = load(tmp_path / "in", db)["users.csv"]
    assert (result.status, result.encoding, result.rows_loaded) == ("loaded", "cp932", 300_001)
    assert query(db, "SELECT name FROM raw.users WHERE user_id = 'U_last'") == [("佐藤",)]


def test_undecodable_file_is_an_error_naming_file_and_offset(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    prefix = b"user_id,role\nU1,sdr\n"
    (folder / "users.csv").write_bytes(prefix + b"U2,\x81\x20\n")  # not UTF-8, not CP932
    write(folder, "campaigns.csv", "campaign_id\nC1\n")
    results = load(folder, db)
    assert results["users.csv"].status == "failed"
    message = results["users.csv"].error
    assert message.startswith("users.csv: cannot decode the file as UTF-8")
    assert f"offset {len(prefix) + 3}" in message and "CP932" in message
    assert query(db, "SELECT count(*) FROM raw.users") == [(0,)]
    assert results["campaigns.csv"].status == "loaded"
    proc = run_cli(str(folder), "--duckdb", str(tmp_path / "other.duckdb"), "--quiet")
    assert proc.returncode == 1
    assert "users.csv: cannot decode the file" in proc.stderr and "Traceback" not in proc.stderr


def test_a_utf16_file_is_an_error_that_says_so(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    # Excel's "Unicode text" (UTF-16 with a byte-order mark), and UTF-16 without one
    write(folder, "leads.csv", "lead_id,created_at\r\nL1,2025-01-10\r\n", encoding="utf-16")
    write(folder, "users.csv", "user_id,role\nU1,sdr\n", encoding="utf-16-le")
    write(folder, "campaigns.csv", "campaign_id\nC1\n")
    results = load(folder, db)
    for name in ("leads.csv", "users.csv"):
        assert results[name].status == "failed", name
        assert results[name].error.startswith(f"{name}: the file is UTF-16 text"), name
    assert results["campaigns.csv"].status == "loaded"
    assert query(db, "SELECT count(*) FROM raw.leads") == [(0,)]


# --------------------------------------------------------------------------- re-loads


def test_loading_the_same_file_twice_changes_nothing(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "leads.csv", f"{LEADS_HEADER}\nL1,2025-01-10,,Acme,,,new\nL2,bad,,,,,\n")
    first = load(folder, db)["leads.csv"]
    snapshot = query(db, "SELECT * FROM raw.leads ORDER BY lead_id")
    quarantined = query(db, "SELECT * FROM raw._quarantine")
    second = load(folder, db)["leads.csv"]
    assert first.status == "loaded" and second.status == "already loaded"
    assert (second.rows_read, second.rows_loaded, second.rows_quarantined) == (2, 1, 1)
    assert second.load_id == first.load_id
    assert query(db, "SELECT * FROM raw.leads ORDER BY lead_id") == snapshot
    assert query(db, "SELECT * FROM raw._quarantine") == quarantined
    assert query(db, "SELECT status FROM raw._load_audit") == [("loaded",)]
    proc = run_cli(str(folder), "--duckdb", str(db), "--quiet")
    assert proc.returncode == 0 and "already loaded" in proc.stdout


def test_newer_entity_export_upserts_and_older_does_not_overwrite(tmp_path: Path, db: Path) -> None:
    header = "lead_id,created_at,updated_at,status\n"
    write(
        tmp_path / "v1",
        "leads.csv",
        header + "L1,2025-01-10,2025-01-10 10:00,新規\nL2,2025-01-10,2025-01-10 10:00,新規\n",
    )
    write(
        tmp_path / "v2",
        "leads.csv",
        header + "L1,2025-01-10,2025-01-12 10:00,対応中\nL3,2025-01-11,2025-01-11 10:00,新規\n",
    )
    write(
        tmp_path / "old",
        "leads.csv",
        header + "L1,2025-01-10,2025-01-11 10:00,失注\nL2,2025-01-10,2025-01-10 10:00,受注\n",
    )
    load(tmp_path / "v1", db)
    load(tmp_path / "v2", db)
    assert query(db, "SELECT lead_id, status, _load_id FROM raw.leads ORDER BY 1") == [
        ("L1", "対応中", 2),
        ("L2", "新規", 1),
        ("L3", "新規", 2),
    ]
    result = load(tmp_path / "old", db)["leads.csv"]
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    # L1: stored 01-12 is newer than 01-11: kept. L2: equal updated_at: the later load wins.
    assert query(db, "SELECT lead_id, status FROM raw.leads ORDER BY 1") == [
        ("L1", "対応中"),
        ("L2", "受注"),
        ("L3", "新規"),
    ]


def test_a_narrower_newer_export_keeps_the_columns_it_does_not_carry(
    tmp_path: Path, db: Path
) -> None:
    write(
        tmp_path / "full",
        "leads.csv",
        "lead_id,created_at,updated_at,industry,employee_count,status,crm_score\n"
        'L1,2025-01-10,2025-01-10 10:00,製造業,"1,200",新規,7\n'
        "L2,2025-01-10,2025-01-10 10:00,小売,30,新規,3\n",
    )
    # the next day's export carries only the status (and a blank industry for L2)
    write(
        tmp_path / "narrow",
        "leads.csv",
        "lead_id,created_at,updated_at,status,industry\n"
        "L1,2025-01-10,2025-01-11 10:00,対応中,製造業\n"
        "L2,2025-01-10,2025-01-11 10:00,対応中,\n"
        "L3,2025-01-11,2025-01-11 10:00,新規,\n",
    )
    load(tmp_path / "full", db)
    load(tmp_path / "narrow", db)
    # employee_count and the extra crm_score are not in the narrow file: L1 and L2 keep them;
    # industry is, so L2's blank replaces 小売; L3 is new: null where its file says nothing
    assert query(
        db,
        "SELECT lead_id, status, industry, employee_count, crm_score, _load_id "
        "FROM raw.leads ORDER BY 1",
    ) == [
        ("L1", "対応中", "製造業", 1200, "7", 2),
        ("L2", "対応中", None, 30, "3", 2),
        ("L3", "新規", None, None, None, 2),
    ]


def test_entity_without_updated_at_is_replaced_by_the_later_load(tmp_path: Path, db: Path) -> None:
    write(tmp_path / "v1", "users.csv", "user_id,role,team\nU1,sdr,East\nU2,ae,West\n")
    write(tmp_path / "v2", "users.csv", "user_id,role,team\nU1,ae,East\n")
    load(tmp_path / "v1", db)
    load(tmp_path / "v2", db)
    assert query(db, "SELECT user_id, role FROM raw.users ORDER BY 1") == [
        ("U1", "ae"),
        ("U2", "ae"),
    ]


def test_a_full_dump_gives_the_new_load_only_to_the_rows_that_changed(
    tmp_path: Path, db: Path
) -> None:
    header = "lead_id,created_at,updated_at,status,crm_score\n"
    write(
        tmp_path / "day1",
        "leads.csv",
        header
        + "L1,2025-01-10,2025-01-10 10:00,新規,7\n"
        + "L2,2025-01-10,2025-01-10 10:00,新規,3\n"
        + "L3,2025-01-10,2025-01-10 10:00,新規,\n",
    )
    # the next day's full dump: L1 unchanged (same values written differently: the
    # comparison is on typed values), L2 changed status, L3 only its extra column, L4 new
    write(
        tmp_path / "day2",
        "leads.csv",
        header
        + "L1,2025/01/10,2025-01-10T10:00:00+09:00,新規,7\n"
        + "L2,2025-01-10,2025-01-11 09:00,対応中,3\n"
        + "L3,2025-01-10,2025-01-10 10:00,新規,5\n"
        + "L4,2025-01-11,2025-01-11 09:00,新規,\n",
    )
    load(tmp_path / "day1", db)
    result = load(tmp_path / "day2", db)["leads.csv"]
    # every row of the dump is in the table: read 4 = loaded 4
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 4, 0)
    assert query(
        db, "SELECT lead_id, status, crm_score, _load_id, _source_line FROM raw.leads ORDER BY 1"
    ) == [
        ("L1", "新規", "7", 1, 2),  # unchanged: still the row of load 1, line 2 of day 1
        ("L2", "対応中", "3", 2, 3),
        ("L3", "新規", "5", 2, 4),
        ("L4", "新規", None, 2, 5),
    ]
    notes = " | ".join(result.notes)
    assert "2 stored row(s) replaced" in notes and "1 row(s) unchanged" in notes
    assert "kept the stored version" not in notes


def test_history_files_are_appended_and_deduplicated_by_id(tmp_path: Path, db: Path) -> None:
    header = "event_id,lead_id,event_type,occurred_at\n"
    write(
        tmp_path / "w1",
        "marketing_events.csv",
        header + "E1,L1,page_view,2025-01-10\nE2,L1,email_open,2025-01-10\n",
    )
    write(
        tmp_path / "w2",
        "marketing_events.csv",
        header + "E2,L1,email_open,2025-01-10\nE3,L2,form_submit,2025-01-11\n",
    )
    load(tmp_path / "w1", db)
    result = load(tmp_path / "w2", db)["marketing_events.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)
    assert query(db, "SELECT event_id, _load_id FROM raw.marketing_events ORDER BY 1") == [
        ("E1", 1),
        ("E2", 1),
        ("E3", 2),
    ]
    history = "history_id,lead_id,changed_at,field,new_value\n"
    write(
        tmp_path / "h1",
        "lead_history.csv",
        history + ",L1,2025-01-10,status,sal\nH9,L1,2025-01-11,status,sql\n",
    )
    write(
        tmp_path / "h2",
        "lead_history.csv",
        history + ",L1,2025-01-10,status,sal\n,L1,2025-01-12,owner,\nH9,L1,2025-01-11,status,sql\n",
    )
    load(tmp_path / "h1", db)
    load(tmp_path / "h2", db)
    assert query(db, "SELECT count(*), count(history_id) FROM raw.lead_history") == [(3, 1)]


def test_counts_add_up_for_every_file_and_every_table_exists(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    write(
        folder, "leads.csv", f"{LEADS_HEADER}\nL1,2025-01-10,,,,,\nL2,,,,,,\nL1,2025-01-10,,,,,\n"
    )
    write(folder, "users.csv", "user_id,role\nU1,sdr\nU2\n")
    write(folder, "campaigns.csv", "campaign_id,cost\nC1,abc\nC2,100\n")
    write(folder, "README.txt", "not an export")
    results = load(folder, db)
    assert set(results) == {"leads.csv", "users.csv", "campaigns.csv"}
    assert_counts_add_up(results)
    audit = query(
        db,
        "SELECT file_name, rows_read, rows_loaded, rows_quarantined FROM raw._load_audit ORDER BY 1",
    )
    assert audit == [
        ("campaigns.csv", 2, 1, 1),
        ("leads.csv", 3, 2, 1),
        ("users.csv", 2, 1, 1),
    ]
    tables = {
        r[0] for r in query(db, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'")
    }
    assert tables == {f.name for f in EXPORT_FILES} | {"_quarantine", "_load_audit"}
    types = dict(
        query(
            db,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'opportunities'",
        )
    )
    assert types["created_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["amount"] == "DECIMAL(18,2)"
    assert types["close_date"] == "DATE"
    assert types["is_won"] == "BOOLEAN"
    assert types["_load_id"] == "BIGINT" and types["_source_line"] == "BIGINT"


def test_cli_prints_the_table_and_skipped_files(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "users.csv", "user_id,role\nU1,sdr\nU2\n")
    write(folder, "notes.txt", "x")
    proc = run_cli(str(folder), "--duckdb", str(db))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["file", "rows", "read", "loaded", "quarantined", "status"]
    assert lines[2].split() == ["users.csv", "2", "1", "1", "loaded"]
    assert "skipped notes.txt" in proc.stdout
    assert "users.csv" in proc.stderr  # progress line


# --------------------------------------------------------------------------- failures


def test_a_failure_mid_file_rolls_the_whole_file_back(
    tmp_path: Path, db: Path, monkeypatch
) -> None:
    folder = tmp_path / "in"
    write(folder, "users.csv", "user_id,role,note\nU1,sdr,a\nU2\n")
    write(folder, "campaigns.csv", "campaign_id,name\nC1,Expo\n")
    real_write_audit = loader.write_audit

    def explode(con, layout, scan, result, status):
        if layout.spec.name == "users" and status == "loaded":
            # data and quarantine rows are written by now: the rollback must undo them
            assert con.execute("SELECT count(*) FROM raw.users").fetchone()[0] == 1
            raise RuntimeError("disk full (simulated)")
        return real_write_audit(con, layout, scan, result, status)

    monkeypatch.setattr(loader, "write_audit", explode)
    results = load(folder, db)
    assert results["users.csv"].status == "failed"
    assert "disk full" in results["users.csv"].error
    assert results["campaigns.csv"].status == "loaded"
    assert query(db, "SELECT count(*) FROM raw.users") == [(0,)]
    assert query(db, "SELECT count(*) FROM raw._quarantine WHERE file_name = 'users.csv'") == [(0,)]
    assert "note" not in {
        r[0]
        for r in query(db, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'users'")
    }
    assert query(db, "SELECT file_name, status FROM raw._load_audit ORDER BY _load_id") == [
        ("users.csv", "failed"),
        ("campaigns.csv", "loaded"),
    ]
    # the CLI exits 1 when a file failed; a later healthy run loads the file
    from lead_analytics.commands.load import main

    assert main([str(folder), "--duckdb", str(db), "--quiet"]) == 1
    monkeypatch.setattr(loader, "write_audit", real_write_audit)
    assert main([str(folder), "--duckdb", str(db), "--quiet"]) == 0
    assert query(db, "SELECT count(*) FROM raw.users") == [(1,)]


def test_locked_database_gives_a_clear_message_and_exit_code_2(tmp_path: Path, db: Path) -> None:
    write(tmp_path / "in", "users.csv", "user_id,role\nU1,sdr\n")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        proc = run_cli(str(tmp_path / "in"), "--duckdb", str(db))
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 2
    assert f"database {db} is locked by another process" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_exit_2(tmp_path: Path, db: Path) -> None:
    proc = run_cli(str(tmp_path / "missing"), "--duckdb", str(db))
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    write(tmp_path / "other", "notes.txt", "x")
    proc = run_cli(str(tmp_path / "other"), "--duckdb", str(db))
    assert proc.returncode == 2 and "no contract file" in proc.stderr
    write(tmp_path / "in", "users.csv", "user_id,role\nU1,sdr\n")
    proc = run_cli(str(tmp_path / "in"), "--duckdb", str(db), "--source-timezone", "Mars/Olympus")
    assert proc.returncode == 2 and "unknown source time zone" in proc.stderr
    with pytest.raises(UsageError):
        load_folder(tmp_path / "missing", db)


def test_unreadable_contract_file_is_a_clear_error(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "users.csv", "user_id,role\nU1,sdr\n")
    (folder / "leads.csv").symlink_to(tmp_path / "gone.csv")  # a broken link
    proc = run_cli(str(folder), "--duckdb", str(db))
    assert proc.returncode == 1
    assert "leads.csv: cannot read file" in proc.stderr and "Traceback" not in proc.stderr
    # that file only: users.csv is loaded
    assert query(db, "SELECT user_id FROM raw.users") == [("U1",)]


def test_duckdb_path_defaults_to_the_env_var(tmp_path: Path) -> None:
    write(tmp_path / "in", "users.csv", "user_id,role\nU1,sdr\n")
    target = tmp_path / "from_env.duckdb"
    env = {"PATH": "/usr/bin:/bin", "DUCKDB_PATH": str(target), "SOURCE_TIMEZONE": "UTC"}
    proc = run_cli(str(tmp_path / "in"), "--quiet", env=env)
    assert proc.returncode == 0, proc.stderr
    assert query(target, "SELECT user_id FROM raw.users") == [("U1",)]
