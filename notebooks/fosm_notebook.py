"""Shared set-up of the fosm notebooks: a Spark session that reads the lakehouse's Delta tables, and the tables'
locations (the same relative paths as io.fosm.lakehouse.Tables).

Delta Lake comes from the shaded jar (jobs/target/fosm-jobs-*-all.jar bundles delta-spark 3.3), so the notebooks
read exactly what the jobs wrote with the same Delta version; `make build` makes the jar, FOSM_JAR points elsewhere.
"""
from __future__ import annotations

import glob
import os
from pathlib import Path

# table name -> location under the lakehouse root (io.fosm.lakehouse.Tables)
TABLES = {
    "bronze_chunks": "bronze/chunks",
    "silver_chunks": "silver/chunks",
    "silver_quarantine": "silver/quarantine",
    "gold_features": "gold/features",
    "gold_predictions": "gold/predictions",
    "drift_reports": "drift/reports",
}

HERE = Path(__file__).resolve().parent


def find_jar(jar: str | None = None) -> str:
    """The shaded jar: the argument, else $FOSM_JAR, else the build output of this checkout."""
    jar = jar or os.environ.get("FOSM_JAR")
    if not jar:
        built = sorted(glob.glob(str(HERE.parent / "jobs" / "target" / "fosm-jobs-*-all.jar")))
        jar = built[-1] if built else None
    if not jar or not Path(jar).is_file():
        raise FileNotFoundError(f"Cannot find the shaded jar ({jar or 'jobs/target/fosm-jobs-*-all.jar'}): "
                                "run 'make build' or set FOSM_JAR")
    return jar


def spark_session(jar: str | None = None, master: str | None = None):
    """A Spark session with Delta Lake; local[2] unless NOTEBOOK_SPARK_MASTER (or `master`) says otherwise."""
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder
            .appName("fosm notebook")
            .master(master or os.environ.get("NOTEBOOK_SPARK_MASTER", "local[2]"))
            .config("spark.jars", find_jar(jar))
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.sql.shuffle.partitions", "4")
            # Delta replays its log with this many tasks (default 50: most of a small notebook's time, as in the jobs)
            .config("spark.databricks.delta.snapshotPartitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", os.environ.get("NOTEBOOK_DRIVER_MEMORY", "2g"))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def table_path(lakehouse_root: str, table: str) -> str:
    return lakehouse_root.rstrip("/") + "/" + TABLES[table]


def read_table(spark, lakehouse_root: str, table: str):
    """The Delta table, or None when there is no Delta table at its location (yet)."""
    path = table_path(lakehouse_root, table)
    jvm = spark.sparkContext._jvm
    if not jvm.io.delta.tables.DeltaTable.isDeltaTable(spark._jsparkSession, path):
        return None
    return spark.read.format("delta").load(path)


def require_table(spark, lakehouse_root: str, table: str, hint: str):
    """The Delta table, or a clear error naming its location and the command that writes it."""
    df = read_table(spark, lakehouse_root, table)
    if df is None:
        raise FileNotFoundError(f"Cannot read {table}: no Delta table at {table_path(lakehouse_root, table)} ({hint})")
    return df
