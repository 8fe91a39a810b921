"""Spark parity: the project built on Apache Spark gives the same public marts as on DuckDB.

The hand-made export set is loaded and built on DuckDB (the session fixture
`handmade_warehouse`), written as Parquet by `load_exports.py --format parquet`, built
with `dbt build` on the `spark` target (local pyspark, its own catalog, warehouse,
target and log folders under tmp_path), and every model under models/marts/ is compared
row for row: same columns and types, same row count, same values after sorting by all
columns (numbers within 1e-9, timestamps as UTC instants, nulls equal).

Needs Java (pyspark starts a JVM); skipped only when there is none.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import FIXTURES

from lead_analytics.dbt_cli import REPO_ROOT, run_dbt
from lead_analytics.loader.parquet import raw_tables

MARTS = sorted(path.stem for path in (REPO_ROOT / "models" / "marts").rglob("*.sql"))
TOLERANCE = 1e-9
EPOCH = datetime(1970, 1, 1)

# DuckDB type of a mart column -> the Spark type it must have (contracts enforce both).
SPARK_TYPE_OF = {
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}


def spark_type_of(duckdb_type: str) -> str:
    """Spark's name of a DuckDB column type (DECIMAL(18,2) is decimal(18,2) there)."""
    if duckdb_type.startswith("DECIMAL("):
        return duckdb_type.lower()
    return SPARK_TYPE_OF.get(duckdb_type, duckdb_type)


def java_available() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    return shutil.which("java") is not None or bool(
        java_home and (Path(java_home) / "bin" / "java").exists()
    )


pytestmark = pytest.mark.skipif(
    not java_available(), reason="Java is not installed (no java on PATH, JAVA_HOME unset)"
)


def duckdb_mart(database: Path, mart: str) -> tuple[list[tuple[str, str]], list[list]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = ? order by ordinal_position",
            [mart],
        ).fetchall()
        rows = connection.execute(f"select * from marts.{mart}").fetchall()
    return columns, [list(row) for row in rows]


def spark_value(value, spark_type: str):
    """Back to Python values comparable with DuckDB's: instants as naive UTC datetimes."""
    if value is None:
        return None
    if spark_type == "timestamp":
        return EPOCH + timedelta(microseconds=value)
    if spark_type == "date":
        return date.fromisoformat(value)
    if isinstance(value, dict) and "decimal" in value:
        return Decimal(value["decimal"])
    return value


def sort_key(row: list) -> tuple:
    # nulls first; floats rounded so that last-digit noise cannot reorder rows
    return tuple(
        (0, "")
        if value is None
        else (1, round(value, 6))
        if isinstance(value, float)
        else (1, value)
        for value in row
    )


def same_value(duck, spark) -> bool:
    if duck is None or spark is None:
        return duck is None and spark is None
    if isinstance(duck, bool) or isinstance(spark, bool):
        return type(duck) is type(spark) and duck == spark
    if isinstance(duck, datetime) and duck.tzinfo is not None:
        duck = duck.astimezone(UTC).replace(tzinfo=None)
    if isinstance(duck, float) or isinstance(spark, float):
        if not (isinstance(duck, float) and isinstance(spark, float)):
            return False
        if math.isnan(duck) or math.isnan(spark):
            return math.isnan(duck) and math.isnan(spark)
        return math.isclose(duck, spark, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return type(duck) is type(spark) and duck == spark


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The hand-made exports as Parquet, built on Spark; the marts read back through Spark."""
    work = tmp_path_factory.mktemp("spark_parity")
    parquet_dir = work / "raw_parquet"
    started = time.monotonic()
    loaded = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "scripts" / "load_exports.py"),
            str(FIXTURES / "handmade"),
            "--format",
            "parquet",
            "--out",
            str(parquet_dir),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    for table in raw_tables():
        assert (parquet_dir / table / "part-0.parquet").exists(), f"no Parquet for raw.{table}"
        assert f"wrote {table} " in loaded.stdout

    spark_home = work / "spark"
    completed = run_dbt(
        ["build"],
        extra_env={
            "DBT_TARGET": "spark",
            "RAW_PARQUET_DIR": str(parquet_dir),
            "SPARK_HOME_DIR": str(spark_home),
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
            "SPARK_LOCAL_IP": "127.0.0.1",
        },
        capture=True,
    )
    assert completed.returncode == 0, (
        f"dbt build on Spark failed:\n{completed.stdout[-8000:]}\n{completed.stderr[-3000:]}"
    )
    built = time.monotonic()

    out = work / "marts.json"
    readback = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("spark_readback.py")),
            str(spark_home),
            str(out),
            *[f"marts.{mart}" for mart in MARTS],
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"},
    )
    assert readback.returncode == 0, readback.stdout[-3000:] + readback.stderr[-5000:]
    print(
        f"spark parity: load+build {built - started:.0f}s, "
        f"read back {time.monotonic() - built:.0f}s"
    )
    return json.loads(out.read_text())


def test_every_mart_is_compared():
    # the comparison below covers every public mart, whatever is added later
    assert len(MARTS) >= 17
    assert {"dim_leads", "fct_sla_lead_status", "rpt_ignore_rate"} <= set(MARTS)


@pytest.mark.parametrize("mart", MARTS)
def test_mart_is_identical_on_spark(mart, handmade_warehouse, spark_build):
    duck_columns, duck_rows = duckdb_mart(handmade_warehouse, mart)
    spark_table = spark_build[f"marts.{mart}"]
    spark_columns = [tuple(column) for column in spark_table["columns"]]

    assert [name for name, _ in spark_columns] == [name for name, _ in duck_columns]
    assert [kind for _, kind in spark_columns] == [spark_type_of(kind) for _, kind in duck_columns]
    spark_rows = [
        [spark_value(value, kind) for value, (_, kind) in zip(row, spark_columns, strict=True)]
        for row in spark_table["rows"]
    ]
    assert len(spark_rows) == len(duck_rows)

    names = [name for name, _ in duck_columns]
    # bookkeeping of DuckDB's incremental runs (macros/incremental/rules_fingerprint.sql):
    # a digest of the seed rows as DuckDB prints them; null on Spark, which rebuilds
    for rows in (duck_rows, spark_rows):
        for row in rows:
            for position, name in enumerate(names):
                if name == "rules_fingerprint":
                    row[position] = None
    for number, (duck_row, spark_row) in enumerate(
        zip(sorted(duck_rows, key=sort_key), sorted(spark_rows, key=sort_key), strict=True)
    ):
        differences = {
            name: (duck, spark)
            for name, duck, spark in zip(names, duck_row, spark_row, strict=True)
            if not same_value(duck, spark)
        }
        assert not differences, f"{mart} row {number}: (duckdb, spark) differ: {differences}"


def test_the_handmade_marts_are_not_empty(handmade_warehouse, spark_build):
    # a comparison of empty tables proves nothing: the hand-made set fills the main marts
    for mart in ("dim_leads", "fct_sales_touches", "fct_sla_lead_status", "rpt_ignore_rate"):
        assert spark_build[f"marts.{mart}"]["rows"], f"marts.{mart} is empty on Spark"
        assert duckdb_mart(handmade_warehouse, mart)[1], f"marts.{mart} is empty on DuckDB"
