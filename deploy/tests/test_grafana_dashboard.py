"""The Grafana dashboard is well-formed and every PromQL expression in it parses in a real Prometheus (each is sent
to the query API of a server on a free loopback port; a syntax error answers 400 bad_data)."""
import json
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from deploytools import DEPLOY, tool

DASHBOARD = DEPLOY / "grafana" / "dashboards" / "fosm-stream.json"
METRICS = {"fosm_stream_input_rows_per_second", "fosm_stream_processed_rows_per_second",
           "fosm_stream_batch_duration_seconds", "fosm_stream_end_to_end_latency_seconds_bucket",
           "fosm_incidents_total", "fosm_dead_letters_total", "fosm_drift_score"}


def expressions(dash):
    for panel in dash["panels"]:
        for t in panel["targets"]:
            yield panel["title"], t["expr"]


def test_dashboard_structure():
    dash = json.loads(DASHBOARD.read_text())
    assert dash["uid"] == "fosm-stream"
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for p in dash["panels"]:
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24, p["title"]
        assert p["targets"], p["title"]
    used = " ".join(e for _, e in expressions(dash))
    missing = {m for m in METRICS if m not in used}
    assert not missing, f"metrics of the stream with no panel: {missing}"
    variables = {v["name"] for v in dash["templating"]["list"]}
    for p in dash["panels"]:
        assert p["datasource"]["uid"] == "${datasource}"
    assert {"datasource", "query", "feature"} <= variables


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    work = tmp_path_factory.mktemp("prom")
    (work / "prometheus.yml").write_text("global:\n  scrape_interval: 1m\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([tool("prometheus"), f"--config.file={work / 'prometheus.yml'}",
                             f"--storage.tsdb.path={work / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.time() < deadline, "prometheus did not start"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def grafana_to_promql(expr):
    # Grafana fills these in before Prometheus sees the query
    return expr.replace("$__rate_interval", "5m").replace("$query", ".*").replace("$feature", ".*")


def query_status(base, expr):
    url = base + "/api/v1/query?query=" + urllib.parse.quote(expr)
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_every_expression_parses_in_prometheus(prometheus):
    dash = json.loads(DASHBOARD.read_text())
    for title, expr in expressions(dash):
        status, body = query_status(prometheus, grafana_to_promql(expr))
        assert status == 200 and body["status"] == "success", f"panel '{title}': {expr}: {body}"
    # and the check can fail: a broken expression is refused
    status, body = query_status(prometheus, "sum by (class (fosm_incidents_total)")
    assert status == 400 and body["errorType"] == "bad_data"
