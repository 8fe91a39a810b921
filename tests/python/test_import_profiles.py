"""Rename import profiles (import_profiles/*.yml without `vendor:`): contract rows under other
file and header names load as the contract.

The shipped rename profile is checked on the hand-made export set rewritten with its names
(file names and headers taken from the profile): the raw tables must equal those of the
canonical files, value for value. Then the matching rules (preference, folding, canonical
names first) and the error messages. These tests only rename the contract's own files;
the vendor profiles (salesforce, hubspot, marketo), which read the vendors' own files, are
tested by test_vendor_exports.py.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from lead_analytics.contract import BY_NAME
from lead_analytics.errors import UsageError
from lead_analytics.loader.core import load_folder
from lead_analytics.profiles.profile import fold, load_profile, profile_names

REPO = Path(__file__).resolve().parents[2]
HANDMADE = REPO / "tests" / "fixtures" / "exports" / "handmade"


def raw_rows(database: Path, table: str) -> list[tuple]:
    """The contract columns of a raw table, sorted (metadata left out: file names differ)."""
    columns = ", ".join(c.name for c in BY_NAME[table].columns)
    with duckdb.connect(str(database), read_only=True) as connection:
        return sorted(
            connection.execute(f"select {columns} from raw.{table}").fetchall(),
            key=lambda row: tuple("" if v is None else str(v) for v in row),
        )


def vendor_copy(profile_name: str, source: Path, target: Path) -> dict[str, str]:
    """`source` rewritten with the profile's first file name and first header name of each
    contract file and column; returns contract file -> vendor file name."""
    profile = load_profile(profile_name)
    written = yaml.safe_load(profile.source.read_text(encoding="utf-8"))
    target.mkdir(parents=True)
    names = {}
    for path in sorted(source.glob("*.csv")):
        contract = path.stem
        patterns = [p for p in written.get("files", {}).get(contract, []) if "*" not in p]
        names[contract] = patterns[0] if patterns else path.name
        aliases = written.get("columns", {}).get(contract, {})
        data = path.read_bytes()
        try:  # the hand-made set has a CP932 file: rewrite each in its own encoding
            encoding, text = "utf-8", data.decode("utf-8")
        except UnicodeDecodeError:
            encoding, text = "cp932", data.decode("cp932")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header = [aliases[name][0] if name in aliases else name for name in rows[0]]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *rows[1:]])
        (target / names[contract]).write_bytes(out.getvalue().encode(encoding))
        spec = profile.file_for(names[contract])
        assert spec is None or spec.name == contract
    return names


# a rename profile written like a user's own: API-style names for contract files
RENAMES = """\
files:
  leads: [Lead.csv]
  activities: [Task.csv]
  users: [User.csv]
columns:
  leads:
    lead_id: [Id]
    created_at: [CreatedDate]
  activities:
    activity_id: [Id]
    lead_id: [WhoId]
    activity_type: [TaskSubtype, Type]
    occurred_at: [CompletedDateTime, CreatedDate]
"""


@pytest.fixture
def renames(tmp_path) -> Path:
    path = tmp_path / "renames.yml"
    path.write_text(RENAMES, encoding="utf-8")
    return path


def test_the_shipped_profiles_are_found_and_valid():
    assert {"salesforce", "hubspot", "marketo", "japanese"} <= set(profile_names())
    for name in profile_names():
        profile = load_profile(name)
        assert profile.column_names, name
    assert load_profile("japanese").vendor is None
    assert load_profile("salesforce").vendor.name == "salesforce"


@pytest.mark.parametrize("profile", ["japanese"])
def test_a_renamed_export_loads_like_the_canonical_one(profile, tmp_path):
    canonical = tmp_path / "canonical.duckdb"
    vendor = tmp_path / "vendor.duckdb"
    names = vendor_copy(profile, HANDMADE, tmp_path / profile)
    # the rewrite really renamed things (else this test would prove nothing)
    assert any(name != f"{contract}.csv" for contract, name in names.items())
    expected = {r.file_name: r for r in load_folder(HANDMADE, canonical, quiet=True)}
    loaded = {r.file_name: r for r in load_folder(tmp_path / profile, vendor, profile=profile)}
    assert sorted(loaded) == sorted(names.values())
    for contract, name in names.items():
        got, want = loaded[name], expected[f"{contract}.csv"]
        assert (got.status, got.rows_loaded, got.rows_quarantined) == (
            want.status,
            want.rows_loaded,
            want.rows_quarantined,
        ), name
        assert raw_rows(vendor, contract) == raw_rows(canonical, contract), contract
        assert raw_rows(vendor, contract), contract


def test_without_the_profile_vendor_files_are_skipped_or_fail_with_a_hint(tmp_path, renames):
    vendor_copy("japanese", HANDMADE, tmp_path / "ja")
    for path in (tmp_path / "ja").glob("*.csv"):  # keep only the renamed files
        if path.stem in BY_NAME:
            path.unlink()
    with pytest.raises(UsageError, match="no contract file"):
        load_folder(tmp_path / "ja", tmp_path / "db.duckdb")
    folder = tmp_path / "renamed_headers_only"
    folder.mkdir()
    (folder / "leads.csv").write_text("Id,CreatedDate\nL1,2025-01-10\n", encoding="utf-8")
    [result] = load_folder(folder, tmp_path / "db.duckdb")
    assert result.status == "failed"
    assert "a vendor export may need --profile" in result.error
    [result] = load_folder(folder, tmp_path / "db.duckdb", profile=renames)
    assert (result.status, result.rows_loaded) == ("loaded", 1)


def test_the_first_name_present_wins_and_the_others_stay_extra_columns(tmp_path, renames):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Task.csv").write_text(
        "Id,WhoId,TaskSubtype,Type,CreatedDate,CompletedDateTime\n"
        "T1,L1,Call,Other,2025-01-10 09:00,2025-01-10 10:00\n",
        encoding="utf-8",
    )
    [result] = load_folder(folder, tmp_path / "db.duckdb", profile=renames)
    assert result.status == "loaded", result.error
    with duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True) as connection:
        row = connection.execute(
            "select activity_id, activity_type, occurred_at, type, createddate from raw.activities"
        ).fetchone()
    # TaskSubtype and CompletedDateTime come first in the profile; Type and CreatedDate
    # are kept as they are, as extra columns
    assert row[:2] == ("T1", "Call")
    assert row[2].hour == 1 and row[2].tzinfo is not None  # 10:00 JST = 01:00 UTC
    assert row[3:] == ("Other", "2025-01-10 09:00")


def test_a_canonical_name_in_the_header_wins_over_a_profile_name(tmp_path, renames):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Lead.csv").write_text(
        "Id,lead_id,CreatedDate\nSF-1,L1,2025-01-10\n", encoding="utf-8"
    )
    [result] = load_folder(folder, tmp_path / "db.duckdb", profile=renames)
    assert result.status == "loaded", result.error
    with duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True) as connection:
        assert connection.execute("select lead_id, id from raw.leads").fetchone() == ("L1", "SF-1")


def test_japanese_headers_match_across_widths_and_spaces_in_a_cp932_file(tmp_path):
    assert fold("リード ＩＤ") == fold("ﾘｰﾄﾞID") == fold("リードid")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "リード.csv").write_bytes(
        "リード ＩＤ,作成日時,会社名,リードソース,状況\nL1,2025/01/10 9:30,株式会社エー,展示会,MQL\n".encode(
            "cp932"
        )
    )
    [result] = load_folder(folder, tmp_path / "db.duckdb", profile="japanese")
    assert (result.status, result.rows_loaded) == ("loaded", 1), result.error
    with duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True) as connection:
        assert connection.execute(
            "select lead_id, company_name, lead_source, status from raw.leads"
        ).fetchone() == ("L1", "株式会社エー", "展示会", "MQL")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("files:\n  prospects: [a.csv]\n", "files: unknown export file 'prospects'"),
        ("columns:\n  leads:\n    lead_key: [Id]\n", "'lead_key' is not a column of leads.csv"),
        (
            "columns:\n  leads:\n    lead_id: [Id]\n    owner_id: [ID]\n",
            "'ID' is given for both lead_id and owner_id",
        ),
        ("columns:\n  leads:\n    lead_id: 3\n", "columns.leads.lead_id: expected a list of names"),
        ("files: [\n", "cannot read the import profile"),
        ("colums: {}\n", "unknown key(s) colums"),
    ],
)
def test_a_broken_profile_is_a_clear_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "mine.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as error:
        load_profile(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


def test_the_cli_names_the_known_profiles_for_an_unknown_one(tmp_path):
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "load_exports.py"),
            str(HANDMADE),
            *("--duckdb", str(tmp_path / "db.duckdb"), "--profile", "pipedrive"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    assert "import profile pipedrive not found" in completed.stderr
    assert "hubspot, japanese, marketo, pardot, salesforce" in completed.stderr
