"""Read tables back from the Spark catalog a dbt build on the `spark` target left behind.

Run as a script in its own process (so the JVM it starts ends with it):

    python spark_readback.py SPARK_HOME_DIR OUT.json schema.table [schema.table ...]

Writes {table: {"columns": [[name, spark type], ...], "rows": [[...], ...]}} as JSON.
Timestamps are written as microseconds since the epoch (UTC), so the reader does not
depend on the time zone of this Python process; dates as ISO strings; decimals as
{"decimal": "..."} so that a decimal never passes for a double.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path


def encode(value):
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def main(argv: list[str]) -> int:
    home, out, tables = Path(argv[0]).resolve(), Path(argv[1]), argv[2:]
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("spark_readback")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.warehouse.dir", str(home / "warehouse"))
        .config(
            "javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={home / 'metastore_db'};create=false",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={home}")
        .enableHiveSupport()
        .getOrCreate()
    )
    try:
        result = {}
        for table in tables:
            frame = spark.table(table)
            columns = [(field.name, field.dataType.simpleString()) for field in frame.schema]
            selected = [
                f"unix_micros(`{name}`) as `{name}`" if kind == "timestamp" else f"`{name}`"
                for name, kind in columns
            ]
            rows = frame.selectExpr(*selected).collect()
            result[table] = {
                "columns": columns,
                "rows": [[encode(value) for value in row] for row in rows],
            }
    finally:
        spark.stop()
    out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
