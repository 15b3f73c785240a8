"""Spark's own PrometheusServlet, turned on by the committed conf/spark/prometheus.conf, serves the metrics of a
running streaming query, and a real Prometheus scrapes them.

A separate Spark JVM (pyspark, local[1]) started with exactly the options of that file, so the file is what is tested.
"""
import json
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from deploytools import ROOT, tool

CONF = ROOT / "conf" / "spark" / "prometheus.conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def submit_options(path: Path) -> dict:
    """The --conf key=value pairs of a spark-submit options file (comments and blank lines skipped)."""
    out = {}
    args = [a for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")
            for a in line.split()]
    assert args, f"{path} has no options"
    for flag, kv in zip(args[::2], args[1::2]):
        assert flag == "--conf", f"{path}: expected --conf key=value pairs, got {flag} {kv}"
        key, _, value = kv.partition("=")
        out[key] = value
    return out


def get(url: str) -> str:
    # generous: a loaded 2-core machine answers slowly, and a slow answer is no failure of the servlet
    with urllib.request.urlopen(url, timeout=60) as r:
        assert r.status == 200, url
        return r.read().decode()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except OSError as e:  # not serving yet
            last = e
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout} s waiting for {what} (last: {str(last)[:2000]})")


@pytest.fixture(scope="module")
def spark_ui():
    from pyspark.sql import SparkSession

    assert SparkSession.getActiveSession() is None, "metrics options only apply to a fresh SparkContext"
    port = free_port()
    builder = (SparkSession.builder.master("local[1]").appName("servlet-check")
               .config("spark.ui.port", str(port)).config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.port.maxRetries", "0")
               .config("spark.ui.showConsoleProgress", "false"))
    for k, v in submit_options(CONF).items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    query = (spark.readStream.format("rate").option("rowsPerSecond", 20).load()
             .writeStream.queryName("servlet_check").format("noop").trigger(processingTime="500 milliseconds").start())
    try:
        wait_for(lambda: len(query.recentProgress) >= 2, 60, "two progress reports")
        yield f"http://127.0.0.1:{port}", query
    finally:
        query.stop()
        spark.stop()


def test_driver_servlet_serves_streaming_query_metrics(spark_ui):
    base, query = spark_ui
    def served():
        text = get(base + "/metrics/prometheus")
        return text if "servlet_check" in text else None

    text = wait_for(served, 120, "the query's metrics on /metrics/prometheus")
    lines = [l for l in text.splitlines() if "spark_streaming_servlet_check" in l]
    names = " ".join(lines)
    # spark.metrics.namespace=fosm names the series after fosm, not the random app id
    assert all(l.startswith("metrics_fosm_driver_spark_streaming_servlet_check_") for l in lines), lines
    for gauge in ("inputRate", "processingRate", "latency"):
        assert f"_{gauge}_" in names or f"_{gauge}" in names, f"{gauge} missing from {lines}"
    executors = wait_for(lambda: get(base + "/metrics/executors/prometheus"), 120, "the executor metrics")
    assert "metrics_executor_" in executors, executors[:500]


def test_prometheus_scrapes_the_spark_servlet(spark_ui):
    base, _ = spark_ui
    target = base.removeprefix("http://")
    work = Path(tempfile.mkdtemp(prefix="fosm-prom-spark"))
    (work / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: spark-driver\n"
        f"    metrics_path: /metrics/prometheus\n    static_configs:\n      - targets: ['{target}']\n")
    port = free_port()
    log = (work / "prometheus.log").open("w")
    proc = subprocess.Popen([tool("prometheus"), f"--config.file={work / 'prometheus.yml'}",
                             f"--storage.tsdb.path={work / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        query = '{__name__=~"metrics_fosm_driver_spark_streaming_servlet_check_.*inputRate.*"}'
        url = f"http://127.0.0.1:{port}/api/v1/query?query=" + urllib.parse.quote(query)

        def scraped():
            assert proc.poll() is None, (work / "prometheus.log").read_text()
            body = json.loads(get(url))
            return body["data"]["result"]

        result = wait_for(scraped, 60, "Prometheus to scrape the Spark driver")
        assert result[0]["metric"]["job"] == "spark-driver"
        assert float(result[0]["value"][1]) >= 0
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
