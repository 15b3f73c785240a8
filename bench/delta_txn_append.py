"""What one idempotent Delta append costs, against a plain append (docs/benchmarks.md, "Streaming from Kafka").

The stream writes each micro-batch's outputs with Delta's idempotent-write options (txnAppId / txnVersion), so a
replayed batch is skipped. Delta 3.3 checks them with Snapshot.transactions, which reads the table's computed state
(a log replay: two Spark jobs over the checkpoint and the JSON commits), not the setTransactions the .crc file
already holds. This script times both kinds of append on a small partitioned table, local[2], with the same Delta
jars as fosm (from ~/.m2, so after `make build`), and lists the Spark jobs of one append of each kind.

    .venv/bin/python bench/delta_txn_append.py [--appends 25] [--rows 5000] [spark.conf=value ...]
"""
import argparse
import glob
import os
import shutil
import statistics
import tempfile
import time

from pyspark.sql import SparkSession


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--appends", type=int, default=25)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("conf", nargs="*", help="extra Spark settings, key=value")
    a = ap.parse_args()
    m2 = os.path.expanduser("~/.m2/repository/io/delta")
    jars = sorted(glob.glob(f"{m2}/delta-spark_2.12/3.3.3/delta-spark_2.12-3.3.3.jar")
                  + glob.glob(f"{m2}/delta-storage/3.3.3/delta-storage-3.3.3.jar"))
    if len(jars) != 2:
        raise SystemExit("delta_txn_append: Cannot find delta-spark/delta-storage 3.3.3 in ~/.m2: run 'make build'")
    b = (SparkSession.builder.master("local[2]").config("spark.jars", ",".join(jars))
         .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
         .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
         # fosm's session settings for a local run (Sessions.java, conf/defaults.properties)
         .config("spark.sql.shuffle.partitions", "8").config("spark.databricks.delta.snapshotPartitions", "8")
         .config("spark.ui.enabled", "false"))
    for kv in a.conf:
        k, v = kv.split("=", 1)
        b = b.config(k, v)
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    sc, tracker = spark.sparkContext, spark.sparkContext.statusTracker()
    df = spark.range(a.rows).selectExpr("id", "cast(id as double) * 1.5 as x", "cast(id % 7 as string) as p")
    root = tempfile.mkdtemp(prefix="delta-txn-append-")
    try:
        out = {}
        for kind in ("txn", "plain"):
            path = os.path.join(root, kind)
            times, jobs = [], []
            for v in range(a.appends):
                sc.setJobGroup(f"{kind}{v}", f"{kind} append {v}")
                w = df.write.format("delta").mode("append").partitionBy("p")
                if kind == "txn":
                    w = w.option("txnAppId", "bench").option("txnVersion", v)
                t = time.perf_counter()
                w.save(path)
                times.append(time.perf_counter() - t)
                jobs.append(len(tracker.getJobIdsForGroup(f"{kind}{v}")))
            steady = times[a.appends // 2:]  # after the JIT and the first checkpoint
            out[kind] = (statistics.median(steady), jobs[a.appends // 2:])
            last = sorted(tracker.getJobIdsForGroup(f"{kind}{a.appends - 1}"))
            print(f"{kind:5s} append: median {statistics.median(steady):.3f} s over the last {len(steady)} appends;"
                  f" Spark jobs per append {jobs[a.appends // 2:]}")
            for j in last:
                stages = [tracker.getStageInfo(s) for s in tracker.getJobInfo(j).stageIds]
                print(f"      job {j}: stages with {[s.numTasks for s in stages if s]} tasks")
        print(f"idempotent append / plain append: {out['txn'][0] / out['plain'][0]:.2f}x"
              f" (+{out['txn'][0] - out['plain'][0]:.3f} s per table per micro-batch)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
        spark.stop()


if __name__ == "__main__":
    main()
