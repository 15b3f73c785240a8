"""Alert rules and the compose Prometheus config pass promtool (Debian package prometheus, `make deps-ops`), and the
rule unit tests prove every alert fires on a bad series and stays silent on a healthy one."""
import re
import shutil
import subprocess

import yaml

from deploytools import DEPLOY, run, tool

PROM = DEPLOY / "prometheus"


def test_rules_pass_promtool_check_rules():
    rules = sorted((PROM / "rules").glob("*.yml"))
    assert rules
    out = run(tool("promtool"), "check", "rules", *map(str, rules)).stdout
    assert "SUCCESS" in out


def test_rule_unit_tests_pass_and_cover_every_alert():
    tests = sorted((PROM / "tests").glob("*.yml"))
    for t in tests:
        run(tool("promtool"), "test", "rules", t.name, cwd=t.parent)
    alerts = {r["alert"] for f in (PROM / "rules").glob("*.yml")
              for g in yaml.safe_load(f.read_text())["groups"] for r in g["rules"] if "alert" in r}
    assert {"FosmStreamStalled", "FosmLatencyHigh", "FosmDriftFlagged", "FosmDeadLettersRising",
            "FosmIncidentRaised"} <= alerts
    fired = set()
    for t in tests:
        for case in yaml.safe_load(t.read_text())["tests"]:
            for a in case.get("alert_rule_test", []):
                if a.get("exp_alerts"):
                    fired.add(a["alertname"])
    assert fired == alerts, f"alerts without a test that shows them firing: {alerts - fired}"


def test_a_broken_rule_unit_test_fails(tmp_path):
    """The unit tests can fail: the same stall case with the alert expected too early is rejected by promtool."""
    src = (PROM / "tests" / "fosm-stream-test.yml").read_text()
    shutil.copytree(PROM / "rules", tmp_path / "rules")
    (tmp_path / "tests").mkdir()
    broken = src.replace("- eval_time: 8m\n        alertname: FosmStreamStalled",
                         "- eval_time: 3m\n        alertname: FosmStreamStalled", 1)
    assert broken != src
    (tmp_path / "tests" / "t.yml").write_text(broken)
    p = subprocess.run([tool("promtool"), "test", "rules", "t.yml"], cwd=tmp_path / "tests", capture_output=True, text=True)
    assert p.returncode != 0 and "FosmStreamStalled" in p.stdout + p.stderr


def test_compose_prometheus_config_passes_promtool_and_scrapes_the_stream():
    out = run(tool("promtool"), "check", "config", str(PROM / "prometheus.yml")).stdout
    assert re.search(r"SUCCESS: [1-9]\d* rule files found", out), out
    cfg = yaml.safe_load((PROM / "prometheus.yml").read_text())
    jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
    assert "fosm-stream" in jobs, "the alert rules select job=\"fosm-stream\""
    assert jobs["spark-driver"]["metrics_path"] == "/metrics/prometheus"


def test_every_runbook_link_of_the_rules_has_its_section():
    """Each alert's runbook annotation points at a heading of docs/runbook.md (GitHub's anchor of the heading)."""
    headings = set()
    for line in (DEPLOY.parent / "docs" / "runbook.md").read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            headings.add(re.sub(r"[^a-z0-9 -]", "", title).replace(" ", "-"))
    for f in (PROM / "rules").glob("*.yml"):
        for g in yaml.safe_load(f.read_text())["groups"]:
            for r in g["rules"]:
                link = r["annotations"]["runbook"]
                assert link.startswith("docs/runbook.md#"), link
                assert link.split("#", 1)[1] in headings, f"{r['alert']}: no section for {link}"
