"""One bad row never moves the numbers: implausible instants, full-width ids, files that are
not CSV text, stray CP932 bytes, a warehouse the run cannot write or that another program
holds. Each test fails without the rule it names (see the loader's --help "rules")."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from lead_analytics import dbt_cli
from lead_analytics.contract import BY_NAME
from lead_analytics.errors import InputFileError, UsageError
from lead_analytics.loader.core import load_folder
from lead_analytics.loader.files import decode, read_layout

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "scripts" / "load_exports.py"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def load(folder: Path, db: Path, **kwargs):
    kwargs.setdefault("source_timezone", "UTC")
    return {r.file_name: r for r in load_folder(folder, db, **kwargs)}


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def run_cli(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, str(CLI), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


# --------------------------------------------------------------------------- instants


def test_far_future_and_ancient_timestamps_are_quarantined_with_their_reason(
    tmp_path: Path, db: Path
) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(hours=20)).strftime("%Y-%m-%d %H:%M")
    write(
        tmp_path / "in",
        "leads.csv",
        "lead_id,created_at,updated_at\n"
        "L1,2025-01-10 09:00,\n"
        "L2,9999-12-31 00:00,\n"  # after now + 24 h: quarantined
        "L3,1900-01-01 00:00,\n"  # before 2000-01-01: quarantined
        "L4,2025-01-10 09:00,2099-01-01 00:00\n"  # any timestamp column counts
        f"L5,{tomorrow},\n",  # 20 h ahead: within the 24 h for clock skew
    )
    write(
        tmp_path / "in",
        "opportunities.csv",
        "opportunity_id,created_at,close_date\n"
        "O1,2025-01-10 09:00,2099-06-30\n"  # an expected close date may lie ahead
        "O2,2025-01-10 09:00,1999-12-31\n",  # but not before the floor
    )
    results = load(tmp_path / "in", db)
    leads, opportunities = results["leads.csv"], results["opportunities.csv"]
    assert (leads.rows_read, leads.rows_loaded, leads.rows_quarantined) == (5, 2, 3)
    assert (opportunities.rows_loaded, opportunities.rows_quarantined) == (1, 1)
    assert query(db, "SELECT lead_id FROM raw.leads ORDER BY 1") == [("L1",), ("L5",)]
    reasons = dict(query(db, "SELECT file_name || ':' || line_number, reason FROM raw._quarantine"))
    assert reasons["leads.csv:3"].startswith(
        "implausible timestamp in created_at: '9999-12-31 00:00' is after the load instant "
    )
    assert reasons["leads.csv:3"].endswith("UTC + 24 h (--future-tolerance-hours)")
    assert reasons["leads.csv:4"] == (
        "implausible timestamp in created_at: '1900-01-01 00:00' is before 2000-01-01 (--earliest)"
    )
    assert reasons["leads.csv:5"].startswith("implausible timestamp in updated_at: '2099-01-01")
    assert reasons["opportunities.csv:3"] == (
        "implausible date in close_date: '1999-12-31' is before 2000-01-01 (--earliest)"
    )


def test_the_floor_the_tolerance_and_the_export_instant_are_options(
    tmp_path: Path, db: Path
) -> None:
    folder = tmp_path / "in"
    write(
        folder,
        "leads.csv",
        "lead_id,created_at\n"
        "L1,2019-12-31 23:00\n"  # before --earliest 2020-01-01
        "L2,2025-06-30 23:00\n"
        "L3,2025-07-01 01:00\n",  # after --exported-at 2025-07-01 00:00 + 0 h
    )
    proc = run_cli(
        str(folder),
        "--duckdb",
        str(db),
        "--source-timezone",
        "UTC",
        "--earliest",
        "2020-01-01",
        "--future-tolerance-hours",
        "0",
        "--exported-at",
        "2025-07-01T09:00+09:00",
    )
    assert proc.returncode == 0, proc.stderr
    assert query(db, "SELECT lead_id FROM raw.leads") == [("L2",)]
    reasons = [r[0] for r in query(db, "SELECT reason FROM raw._quarantine ORDER BY line_number")]
    assert reasons == [
        "implausible timestamp in created_at: '2019-12-31 23:00' is before 2020-01-01 (--earliest)",
        "implausible timestamp in created_at: '2025-07-01 01:00' is after the export instant "
        "(--exported-at) 2025-07-01 00:00 UTC + 0 h (--future-tolerance-hours)",
    ]
    assert query(db, "SELECT exported_at FROM raw._load_audit") == [
        (datetime(2025, 7, 1, tzinfo=UTC),)
    ]
    # an export cannot come from the future, and an instant needs its offset
    for bad in ("2099-01-01T00:00Z", "2025-07-01T09:00"):
        proc = run_cli(str(folder), "--duckdb", str(db), "--exported-at", bad)
        assert proc.returncode == 2 and "--exported-at" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


def test_a_meeting_booked_ahead_is_not_implausible_but_its_creation_date_is(
    tmp_path: Path, db: Path
) -> None:
    folder = tmp_path / "in"
    header = (
        "Record ID,Meeting name,Meeting start time,Meeting end time,Meeting outcome,"
        "Call and meeting type,Activity assigned to,Associated Contact IDs,Create Date,"
        "Last Modified Date\n"
    )
    write(
        folder,
        "hubspot-crm-exports-all-meetings-2025-03-31.csv",
        header + "9001,next year's review,2099-01-20 14:00,2099-01-20 15:00,Scheduled,,"
        "健 高橋,101,2025-03-30 10:30,2025-03-30 10:30\n"
        "9002,typo,2025-01-20 14:00,2025-01-20 15:00,Completed,,健 高橋,101,"
        "2205-01-14 10:30,2025-01-20 15:10\n",
    )
    results = load(folder, db, profile="hubspot")
    meetings = results["hubspot-crm-exports-all-meetings-2025-03-31.csv"]
    assert (meetings.rows_loaded, meetings.rows_quarantined) == (1, 1)
    (reason,) = query(db, "SELECT reason FROM raw._quarantine")[0]
    assert reason.startswith("implausible timestamp in create_date: '2205-01-14 10:30'")


def test_the_models_report_as_of_the_export_instant_when_it_is_later_than_the_data(
    handmade_warehouse,
) -> None:
    """The hand-made build records no export instant: as_of is the latest data timestamp,
    so the hand-made expectations (computed as of the data) hold unchanged."""
    rows = query(
        handmade_warehouse, "SELECT as_of_source, is_as_of_configured FROM intermediate.int_as_of"
    )
    assert rows == [("latest_data", False)]
    # the export-instant branch is the dbt unit test of int_as_of (int_as_of.yml)


# --------------------------------------------------------------------------- identities


def test_full_width_ids_are_the_same_ids_in_every_file_and_reference(
    tmp_path: Path, db: Path
) -> None:
    folder = tmp_path / "in"
    write(
        folder,
        "leads.csv",
        "lead_id,created_at,owner_id,status\n"
        "Ｌ０５,2025-01-10 09:00,Ｕ１,ＭＱＬ\n"
        "L05,2025-01-10 09:00,U1,ＭＱＬ\n"  # the same row once folded: collapsed
        "l05,2025-01-10 09:00,U1,new\n",  # case is kept: another id
    )
    write(
        folder,
        "lead_history.csv",
        "history_id,lead_id,changed_at,field,old_value,new_value\n"
        "Ｈ１,Ｌ０５,2025-01-11 09:00,owner,,Ｕ１\n"  # owner values are user ids
        "H2,Ｌ０５,2025-01-11 10:00,status,ｎｅｗ,ＭＱＬ\n",  # a status is a label: kept
    )
    write(
        folder,
        "activities.csv",
        "activity_id,lead_id,user_id,activity_type,occurred_at\nＡ１,Ｌ０５,Ｕ１,call,2025-01-12 10:00\n",
    )
    write(folder, "users.csv", "user_id,role,manager_id\nＵ１,sdr,Ｕ　９\n")
    results = load(folder, db)
    assert results["leads.csv"].rows_loaded == 3
    assert query(db, "SELECT lead_id, owner_id, status FROM raw.leads ORDER BY lead_id") == [
        ("L05", "U1", "ＭＱＬ"),
        ("l05", "U1", "new"),
    ]
    assert query(
        db, "SELECT history_id, lead_id, old_value, new_value FROM raw.lead_history ORDER BY 1"
    ) == [("H1", "L05", None, "U1"), ("H2", "L05", "ｎｅｗ", "ＭＱＬ")]
    assert query(db, "SELECT activity_id, lead_id, user_id FROM raw.activities") == [
        ("A1", "L05", "U1")
    ]
    assert query(db, "SELECT user_id, manager_id FROM raw.users") == [("U1", "U 9")]


# --------------------------------------------------------------------------- files


def test_a_gzip_file_is_read_as_is_and_recorded_as_found(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "users.csv.gz").write_bytes(gzip.compress(b"user_id,role\nU1,sdr\nU2,ae\n"))
    results = load(folder, db)
    assert (results["users.csv.gz"].status, results["users.csv.gz"].rows_loaded) == ("loaded", 2)
    assert query(db, "SELECT file_name, file_path FROM raw._load_audit") == [
        ("users.csv.gz", str((folder / "users.csv.gz").resolve()))
    ]
    assert query(db, "SELECT _source_line, user_id FROM raw.users ORDER BY 1") == [
        (2, "U1"),
        (3, "U2"),
    ]
    assert load(folder, db)["users.csv.gz"].status == "already loaded"


def test_a_zip_a_workbook_or_a_broken_gzip_is_refused_with_what_to_do(
    tmp_path: Path, db: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.make_archive(str(tmp_path / "bundle"), "zip", root_dir=REPO / "tests", base_dir="dbt")
    shutil.copy(tmp_path / "bundle.zip", folder / "leads.xlsx")  # an .xlsx is a ZIP archive
    (folder / "users.csv.gz").write_bytes(gzip.compress(b"user_id,role\nU1,sdr\n")[:-12])
    write(folder, "campaigns.csv", "campaign_id\nC1\n")
    results = load(folder, db)
    assert results["leads.xlsx"].status == "failed"
    assert results["leads.xlsx"].error.startswith(
        "leads.xlsx: the file is a ZIP archive (an Excel .xlsx workbook is one too), not CSV "
        "text: unzip it"
    )
    assert "CSV UTF-8" in results["leads.xlsx"].error
    assert results["users.csv.gz"].status == "failed"
    assert results["users.csv.gz"].error.startswith("users.csv.gz: cannot decompress the gzip file")
    assert results["campaigns.csv"].status == "loaded"


def test_a_stray_byte_in_a_cp932_file_fails_it_with_line_and_offset(
    tmp_path: Path, db: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    head = "user_id,name,role\nU1,山田 太郎,sdr\n".encode("cp932")
    (folder / "users.csv").write_bytes(head + b"U2,\xff,ae\n")
    results = load(folder, db)
    assert results["users.csv"].status == "failed"
    error = results["users.csv"].error
    assert f"CP932/Shift_JIS (invalid byte at line 3, offset {len(head) + 3})" in error, error
    assert query(db, "SELECT count(*) FROM raw.users") == [(0,)]
    # a user-defined character (gaiji, 0xF040) is text in CP932 and stays
    assert decode(b"\xf0\x40", "cp932") == "\ue000"
    for stray in (b"\x80", b"\xa0", b"\xfd", b"\xfe", b"\xff"):
        with pytest.raises(UnicodeDecodeError):
            decode(b"ok" + stray, "cp932")


# --------------------------------------------------------------------------- environment


def _as_unprivileged() -> tuple[str, ...]:
    """A command prefix that drops root's power to write anywhere (a user namespace), or
    nothing for a user who is not root."""
    if os.geteuid() != 0:
        return ()
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare or "unshare", "--user", "--map-user=1000", "true"])
    if unshare is None or probe.returncode != 0:
        pytest.skip("root without user namespaces: a read-only folder cannot be made here")
    return (unshare, "--user", "--map-user=1000")


def test_a_warehouse_in_a_read_only_folder_is_one_environment_error(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder, "users.csv", "user_id,role\nU1,sdr\n")
    write(folder, "campaigns.csv", "campaign_id\nC1\n")
    locked = tmp_path / "readonly"
    locked.mkdir()
    duckdb.connect(str(locked / "warehouse.duckdb")).close()  # an existing warehouse
    locked.chmod(0o555)
    try:
        proc = run_cli(
            str(folder), "--duckdb", str(locked / "warehouse.duckdb"), prefix=_as_unprivileged()
        )
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(
        f"error: cannot write in the folder of database {locked / 'warehouse.duckdb'}"
    )
    assert "raw._load_audit cannot record this run" in proc.stderr
    assert proc.stdout == ""  # no per-file failures
    blocker = tmp_path / "a_file"  # a warehouse "folder" that is a file
    blocker.write_text("x")
    with pytest.raises(UsageError, match="cannot write in the folder of database"):
        load_folder(folder, blocker / "warehouse.duckdb")


def test_an_empty_duckdb_path_is_the_default_file_for_dbt_too(tmp_path: Path) -> None:
    proc = dbt_cli.run_dbt(["debug"], extra_env={"DUCKDB_PATH": ""}, capture=True)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "path: warehouse.duckdb" in proc.stdout


def test_a_locked_warehouse_during_dbt_is_one_line_naming_the_holder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "warehouse.duckdb"
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
        code = dbt_cli.run_dbt_step(["run", "--select", "int_as_of"], duckdb_path=db)
    finally:
        holder.kill()
        holder.wait()
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith(f"error: the warehouse {db} is locked by ")
    assert f"(PID {holder.pid})" in err
    assert "Traceback" not in out + err


def test_other_warehouse_io_errors_are_one_line_and_other_failures_keep_their_text() -> None:
    lines = [
        "11:53:35  Encountered an error:\n",
        'IO Error: Cannot open file "/data/w.duckdb.wal": Permission denied\n',
        "11:53:35  Traceback (most recent call last):\n",
    ]
    assert dbt_cli.explain_dbt_failure(lines) == (
        'dbt cannot use the warehouse: Cannot open file "/data/w.duckdb.wal": Permission denied'
    )
    assert dbt_cli.explain_dbt_failure(["Compilation Error in model x\n"]) is None


def test_a_cp932_header_with_a_stray_byte_names_it(tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes(b"user_id,role,\x82\xa0\xff\n")
    with pytest.raises(InputFileError, match="cp932 \\(invalid byte at offset 15\\)"):
        read_layout(path, BY_NAME["users"], "auto")
