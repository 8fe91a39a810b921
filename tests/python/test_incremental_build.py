"""Incremental builds give the same marts as a full rebuild of the same data.

A generated world is exported as it stood on a Wednesday at noon (JST), loaded
and built; then the next two days' deltas (rows new or changed since the
previous export, as a CRM delta export) are loaded one after the other, each
followed by a plain `dbt build`, which runs the incremental models
incrementally. A copy of the warehouse is then rebuilt with `--full-refresh`
and every table of the marts schema must be equal, row for row, in both.
The second scenario is a CRM without field history that exports everything,
every day: full dumps (no lead_history.csv). In both, the last day's users
export gives one sales rep another role (marketing): the users export is a
dump of current values, and the rep's leads must be recomputed all the same.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import BuildFailed, query

from lead_analytics.dbt_cli import REPO_ROOT, run_dbt
from lead_analytics.generator.core import GeneratorConfig, generate_exports
from lead_analytics.loader.core import load_folder

# a small world with a busy period around the export instants
LEADS, MONTHS, SEED = 1500, 6, 7
BASE_AT = "2025-09-24T12:00:00+09:00"
DELTAS = (
    ("2025-09-24T12:00:00+09:00", "2025-09-25T12:00:00+09:00"),
    ("2025-09-25T12:00:00+09:00", "2025-09-26T12:00:00+09:00"),
)
PER_LEAD_MODELS = (
    "int_marketing_events_scored",
    "int_lead_attributes_scored",
    "int_lead_score_thresholds_crossed",
    "int_lead_scores_evaluated",
    "int_sales_activities_classified",
    "int_sales_touches_identified",
    "int_lead_owner_intervals",
    "int_lead_stage_events_unioned",
    "int_lead_stage_entries",
    "int_lead_stages_reached",
    "int_lead_handoffs_detected",
    "int_leads_joined_to_first_touch",
    "int_sla_clocks_started",
    "int_content_downloads_joined_to_next_actions",
    "int_lead_returns_joined_to_reasons",
    "int_rep_meetings_joined_to_outcomes",
)
PER_LEAD_MARTS = ("dim_leads", "fct_sales_touches", "fct_lead_stage_entries", "fct_sla_lead_status")


def dbt_build(database: Path, work_dir: Path, *extra: str, env: dict | None = None) -> None:
    completed = run_dbt(
        # unit tests do not read the data: the other end-to-end tests run them
        ["build", "--quiet", "--exclude-resource-type", "unit_test", *extra],
        duckdb_path=database,
        extra_env={
            "DBT_TARGET_PATH": str(work_dir / "target"),
            "DBT_LOG_PATH": str(work_dir / "logs"),
            **(env or {}),
        },
        capture=True,
    )
    if completed.returncode != 0:
        raise BuildFailed(f"dbt build {' '.join(extra)} failed:\n{completed.stdout[-6000:]}")


def load(folder: Path, database: Path) -> None:
    failed = [r for r in load_folder(folder, database, quiet=True) if r.status == "failed"]
    assert not failed, failed


def tables(database: Path, schema: str) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1",
            [schema],
        ).fetchall()
    return [name for (name,) in rows]


def differences(incremental: Path, full: Path, relation: str, exclude: tuple[str, ...] = ()):
    """Row counts of both, and the rows only in one of them (as multisets)."""
    with duckdb.connect(str(incremental), read_only=True) as connection:
        connection.execute(f"attach '{full}' as full_build (read_only)")
        columns = [
            name
            for (name,) in connection.execute(
                "select column_name from information_schema.columns "
                "where table_catalog = ? and table_schema || '.' || table_name = ? "
                "order by ordinal_position",
                [incremental.stem, relation],
            ).fetchall()
            if name not in exclude
        ]
        selected = ", ".join(f'"{c}"' for c in columns)
        mine = f"select {selected} from {incremental.stem}.{relation}"
        theirs = f"select {selected} from full_build.{relation}"
        counts = [
            connection.execute(f"select count(*) from ({sql})").fetchone()[0]
            for sql in (mine, theirs)
        ]
        only_incremental = connection.execute(f"{mine} except all {theirs} limit 5").fetchall()
        only_full = connection.execute(f"{theirs} except all {mine} limit 5").fetchall()
    return counts, only_incremental, only_full


def busiest_sdr(folder: Path) -> str:
    """The user id of the sdr with the most activities in the folder's export."""
    with (folder / "activities.csv").open(encoding="utf-8-sig", newline="") as handle:
        per_user: dict[str, int] = {}
        for row in csv.DictReader(handle):
            per_user[row["user_id"]] = per_user.get(row["user_id"], 0) + 1
    sdrs = [row["user_id"] for row in read_users(folder)[1] if row["role"].lower() == "sdr"]
    return max(sdrs, key=lambda user: (per_user.get(user, 0), user))


def read_users(folder: Path) -> tuple[str, list[dict[str, str]]]:
    data = (folder / "users.csv").read_bytes()
    try:
        encoding, text = "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        encoding, text = "cp932", data.decode("cp932")
    return encoding, list(csv.DictReader(io.StringIO(text, newline="")))


def change_role(folder: Path, user_id: str, role: str) -> None:
    """Rewrite the folder's users.csv (in its encoding) with another role for one user."""
    encoding, rows = read_users(folder)
    assert any(row["user_id"] == user_id for row in rows)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "role": role} if row["user_id"] == user_id else row)
    (folder / "users.csv").write_bytes(out.getvalue().encode(encoding))


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The base export and the daily deltas, in load order; in the last one a
    sales rep has become marketing."""
    root = tmp_path_factory.mktemp("exports")
    config = GeneratorConfig(n_leads=LEADS, months=MONTHS, seed=SEED)
    folders = [root / "base"] + [root / f"delta{day}" for day in range(1, len(DELTAS) + 1)]
    for folder in folders:
        folder.mkdir()
    generate_exports(config, folders[0], export_at=BASE_AT)
    for folder, (since, at) in zip(folders[1:], DELTAS, strict=True):
        generate_exports(config, folder, export_at=at, changes_since=since)
    change_role(folders[-1], busiest_sdr(folders[0]), "marketing")
    return folders


@pytest.fixture(scope="module")
def dumps(exports, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The same world from a CRM without field history, exported in full every
    day: the base export and full dumps at the deltas' instants, without
    lead_history.csv; the same role change in the last one."""
    root = tmp_path_factory.mktemp("dumps")
    config = GeneratorConfig(n_leads=LEADS, months=MONTHS, seed=SEED)
    folders = [root / "base"] + [root / f"dump{day}" for day in range(1, len(DELTAS) + 1)]
    shutil.copytree(exports[0], folders[0])
    for folder, (_, at) in zip(folders[1:], DELTAS, strict=True):
        folder.mkdir()
        generate_exports(config, folder, export_at=at)
    for folder in folders:
        (folder / "lead_history.csv").unlink()
    change_role(folders[-1], busiest_sdr(folders[0]), "marketing")
    return folders


def build_incrementally_and_in_full(folders: list[Path], root: Path) -> tuple[Path, Path]:
    """Load and build each folder in turn; then rebuild a copy with --full-refresh."""
    incremental_dir = root / "incremental"
    incremental_dir.mkdir()
    database = incremental_dir / "warehouse.duckdb"
    for folder in folders:
        load(folder, database)
        dbt_build(database, incremental_dir)
    # the same loaded data and snapshot, every model rebuilt from scratch
    # (same file name: DuckDB names the catalog after it)
    full_dir = root / "full"
    full_dir.mkdir()
    full = full_dir / "warehouse.duckdb"
    shutil.copy(database, full)
    dbt_build(full, full_dir, "--full-refresh")
    return database, full


@pytest.fixture(scope="module")
def builds(exports, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_incrementally_and_in_full(exports, tmp_path_factory.mktemp("with_history"))


@pytest.fixture(scope="module")
def builds_without_history(dumps, tmp_path_factory: pytest.TempPathFactory):
    """Full daily dumps from a CRM without field history: leads.csv is all there is
    of a lead's status (the snapshot keeps the earlier ones)."""
    return build_incrementally_and_in_full(dumps, tmp_path_factory.mktemp("without_history"))


PER_LEAD_RELATIONS = [f"intermediate.{m}" for m in PER_LEAD_MODELS] + [
    f"marts.{m}" for m in PER_LEAD_MARTS
]


@pytest.mark.parametrize("scenario", ["builds", "builds_without_history"])
def test_the_deltas_reach_the_per_lead_models_incrementally(scenario, request):
    incremental, full = request.getfixturevalue(scenario)
    with duckdb.connect(str(incremental), read_only=True) as connection:
        for relation in PER_LEAD_RELATIONS:
            # rows written by the first build keep its load watermark; the
            # leads of each delta carry a later one: the runs were incremental
            watermarks = connection.execute(
                f"select count(distinct processed_load_id) from {relation}"
            ).fetchone()[0]
            assert watermarks == 1 + len(DELTAS), (relation, watermarks)
    with duckdb.connect(str(full), read_only=True) as connection:
        for relation in PER_LEAD_RELATIONS:
            watermarks = connection.execute(
                f"select count(distinct processed_load_id) from {relation}"
            ).fetchone()[0]
            assert watermarks == 1, (relation, watermarks)


@pytest.mark.parametrize("scenario", ["builds", "builds_without_history"])
def test_every_public_mart_equals_the_full_refresh_build(scenario, request):
    incremental, full = request.getfixturevalue(scenario)
    marts = tables(incremental, "marts")
    assert len(marts) >= 15, marts
    assert marts == tables(full, "marts")
    for mart in marts:
        # the watermark says when a row was written, so it differs by design
        counts, only_incremental, only_full = differences(
            incremental, full, f"marts.{mart}", exclude=("processed_load_id",)
        )
        assert counts[0] == counts[1], (mart, counts)
        assert counts[0] > 0, mart
        assert not only_incremental and not only_full, (mart, only_incremental, only_full)


@pytest.mark.parametrize("scenario", ["builds", "builds_without_history"])
def test_a_rep_who_changed_role_in_the_users_dump_touches_no_lead_any_more(
    scenario, request, exports
):
    incremental, _ = request.getfixturevalue(scenario)
    rep = busiest_sdr(exports[0])

    def count(relation: str, where: str) -> int:
        return query(incremental, f"select count(*) from {relation} where {where}", [rep])[0][0]

    role = query(incremental, "select role from marts.dim_reps where rep_id = ?", [rep])[0]
    # the rep's activities are there (the base export alone has dozens)...
    activities = count("staging.stg_crm__activities", "user_id = ? and not is_automated")
    # ... but no longer count as sales work, on old leads as on new ones: the
    # equality with the full refresh (test above) says the same for every mart
    touches = count("marts.fct_sales_touches", "rep_id = ?")
    classified = count("intermediate.int_sales_activities_classified", "rep_id = ?")
    handoffs = count("marts.dim_leads", "handoff_rep_id = ?")
    # the leads the rep worked were recomputed by the last build (newest watermark)
    recomputed = query(
        incremental,
        """
        select count(*) = count(*) filter (
            where processed_load_id = (select max(processed_load_id) from marts.dim_leads))
        from marts.dim_leads
        where lead_id in (select lead_id from staging.stg_crm__activities where user_id = ?)
        """,
        [rep],
    )[0][0]
    assert role == ("marketing",)
    assert activities >= 20, activities
    assert (touches, classified, handoffs) == (0, 0, 0)
    assert recomputed


@pytest.mark.parametrize(
    "model",
    [
        f"staging.{m}"
        for m in (
            "stg_crm__leads",
            "stg_crm__activities",
            "stg_ma__marketing_events",
            "stg_crm__lead_history",
        )
    ]
    + PER_LEAD_RELATIONS,
)
def test_incremental_models_equal_their_full_refresh_apart_from_the_watermark(builds, model):
    incremental, full = builds
    counts, only_incremental, only_full = differences(
        incremental, full, model, exclude=("processed_load_id",)
    )
    assert counts[0] == counts[1] > 0, (model, counts)
    assert not only_incremental and not only_full, (model, only_incremental, only_full)


def test_without_history_the_statuses_of_earlier_dumps_become_stage_entries(
    builds_without_history,
):
    incremental, _ = builds_without_history
    with duckdb.connect(str(incremental), read_only=True) as connection:
        versions = connection.execute(
            "select count(*), count(distinct lead_id) from staging.stg_crm__lead_status_versions"
        ).fetchone()
        # leads whose status changed between two of the three dumps
        assert versions[0] > 0 and versions[1] > 0, versions
        from_versions = connection.execute(
            "select count(*) from marts.fct_lead_stage_entries where entry_source = 'status_version'"
        ).fetchone()[0]
        assert from_versions > 0
        # every such entry is a status a dump showed, entered at that version's
        # updated_at, and differs from the status the lead holds now
        unexplained = connection.execute(
            """
            select count(*)
            from marts.fct_lead_stage_entries as entries
            where entries.entry_source = 'status_version'
                and entries.entered_at > (select min(created_at) from staging.stg_crm__leads
                                          where lead_id = entries.lead_id)
                and not exists (
                    select 1 from staging.stg_crm__lead_status_versions as versions
                    where versions.lead_id = entries.lead_id
                        and versions.stage = entries.stage
                        and versions.observed_at = entries.entered_at
                )
            """
        ).fetchone()[0]
        assert unexplained == 0
        # a lead whose first dump showed another status than its current one
        # starts in that first status (from creation), not in the current one
        first_versions = connection.execute(
            """
            select count(*)
            from staging.stg_crm__lead_status_versions as versions
            inner join marts.fct_lead_stage_entries as entries
                on versions.lead_id = entries.lead_id
                    and versions.stage = entries.stage
                    and entries.entry_source = 'status_version'
            inner join staging.stg_crm__leads as leads
                on versions.lead_id = leads.lead_id
                    and entries.entered_at = leads.created_at
            """
        ).fetchone()[0]
        assert first_versions > 0


def project_with_other_rules(root: Path) -> Path:
    """A copy of the dbt project whose rule seeds were edited by a user."""
    project = root / "project"
    for name in ("dbt_project.yml", "profiles.yml"):
        project.mkdir(exist_ok=True)
        shutil.copy(REPO_ROOT / name, project / name)
    for folder in ("models", "macros", "seeds", "snapshots", "tests/dbt", "analyses"):
        shutil.copytree(REPO_ROOT / folder, project / folder)
    # a pricing-page visit is worth 40 points instead of 10
    rules = project / "seeds" / "scoring" / "scoring_behaviour_rules.csv"
    text = rules.read_text(encoding="utf-8")
    assert "pricing_page,page_view,%/pricing%,10," in text
    rules.write_text(
        text.replace(
            "pricing_page,page_view,%/pricing%,10,", "pricing_page,page_view,%/pricing%,40,"
        ),
        encoding="utf-8",
    )
    # the telemarketing sources count as referrals instead of outbound
    sources = project / "seeds" / "mappings" / "map_lead_sources.csv"
    lines = sources.read_text(encoding="utf-8").splitlines()
    assert sum(line.endswith(",outbound") for line in lines) >= 1
    sources.write_text(
        "\n".join(
            line.removesuffix(",outbound") + ",referral" if line.endswith(",outbound") else line
            for line in lines
        )
        + "\n",
        encoding="utf-8",
    )
    return project


def test_edited_rule_seeds_and_vars_take_effect_in_a_plain_incremental_build(builds, tmp_path):
    """After the deltas, a user edits two rule seeds and passes another var: the
    next plain `dbt build` (incremental) must give what --full-refresh gives
    with the same rules, for old leads as well as new ones."""
    before, _ = builds
    project = project_with_other_rules(tmp_path)
    other_rules = {"DBT_PROJECT_DIR": str(project), "DBT_PROFILES_DIR": str(project)}
    new_var = ("--vars", '{"ignore_window_days": 7}')
    incremental_dir = tmp_path / "incremental"
    incremental_dir.mkdir()
    incremental = incremental_dir / "warehouse.duckdb"
    shutil.copy(before, incremental)
    dbt_build(incremental, incremental_dir, *new_var, env=other_rules)
    full_dir = tmp_path / "full"
    full_dir.mkdir()
    full = full_dir / "warehouse.duckdb"
    shutil.copy(before, full)
    dbt_build(full, full_dir, *new_var, "--full-refresh", env=other_rules)

    # the new rules changed what the marts say (else this test proves nothing)
    with duckdb.connect(str(incremental), read_only=True) as connection:
        connection.execute(f"attach '{before}' as before_edit (read_only)")
        changed = connection.execute(
            """
            select
                count(*) filter (where now.score <> old.score),
                count(*) filter (where now.channel <> old.channel),
                count(*) filter (where now.ignore_status <> old.ignore_status)
            from marts.dim_leads as now
            inner join before_edit.marts.dim_leads as old on now.lead_id = old.lead_id
            """
        ).fetchone()
    assert all(count > 0 for count in changed), changed

    for relation in (
        [f"marts.{m}" for m in tables(incremental, "marts")]
        + [f"staging.{m}" for m in ("stg_crm__leads", "stg_ma__marketing_events")]
        + PER_LEAD_RELATIONS
    ):
        counts, only_incremental, only_full = differences(
            incremental, full, relation, exclude=("processed_load_id",)
        )
        assert counts[0] == counts[1] > 0, (relation, counts)
        assert not only_incremental and not only_full, (relation, only_incremental, only_full)


def test_a_selection_that_leaves_stale_parents_out_stops_with_what_to_run(builds, tmp_path):
    """After an edit of the rules, building a per-lead model without the models it
    reads would stamp rows computed from the old mapping with the new rules: refused."""
    before, _ = builds
    project = project_with_other_rules(tmp_path)
    other_rules = {"DBT_PROJECT_DIR": str(project), "DBT_PROFILES_DIR": str(project)}
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(before, database)
    # the edited seeds are loaded (what the models read), the staging is not rebuilt
    dbt_build(database, tmp_path, "--select", "resource_type:seed", env=other_rules)
    with pytest.raises(BuildFailed) as failure:
        dbt_build(database, tmp_path, "--select", "dim_leads", env=other_rules)
    message = str(failure.value)
    assert "was built with other rules (rule seeds or vars) than this run" in message
    assert "dbt build --select +dim_leads" in message
    # the same selection with its parents goes through
    dbt_build(database, tmp_path, "--select", "+dim_leads", env=other_rules)
