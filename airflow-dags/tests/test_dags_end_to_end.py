"""`airflow dags test` of both DAGs against local Spark (spark-submit of the shaded jar), a tiny lakehouse and the
real MLflow server: the batch DAG builds bronze -> gold for its date and registers and promotes a model; a bad
configuration fails the first task at once (no retries), raises the failure alert and runs nothing after it; the
drift DAG does nothing without persistent drift and retrains and promotes once when the flag asks for it."""
from __future__ import annotations

import json

import pytest
from conftest import LAKE, MODEL_NAME, airflow, alerts, mlflow_get, spark_env, tail, task_states

BATCH_DATE = "2026-01-01"  # the day the tiny fiber was recorded


@pytest.fixture(scope="module")
def batch_run(tiny_lakehouse):
    proc = airflow("dags", "test", "fosm_batch", BATCH_DATE, env=spark_env(), log_name="dags-test-fosm_batch")
    return proc


def test_batch_dag_runs_bronze_to_promote_for_its_date(batch_run):
    assert batch_run.returncode == 0, f"airflow dags test fosm_batch failed:\n{tail(batch_run.log)}"
    states = task_states("fosm_batch", BATCH_DATE)
    assert states == {t: ("success", 1) for t in ("bronze", "silver", "gold", "train", "promote")}, states
    # the tables of the run's date exist (Delta tables partitioned by fiber and date)
    for table in ("bronze/chunks", "silver/chunks", "gold/features"):
        assert (LAKE / table / "_delta_log").is_dir(), table
        assert list((LAKE / table).glob(f"fiber_id=demo/event_date={BATCH_DATE}/*.parquet")), table
    log = batch_run.log.read_text(errors="replace")
    assert "bronze: 9 files listed, 9 new" in log
    # train registered version 1 (as challenger) and promote made it the first champion
    assert aliases() == {"champion": "1"}
    assert "promote: version 1 is now the champion" in log


def test_bad_configuration_fails_at_once_without_retry_and_alerts(batch_run):
    env = spark_env()
    env["AIRFLOW_VAR_FOSM_PROFILE"] = "no-such-profile"
    before = len(alerts())
    proc = airflow("dags", "test", "fosm_batch", "2026-01-02", env=env, log_name="dags-test-fosm_batch-bad-config")
    states = task_states("fosm_batch", "2026-01-02")
    assert states["bronze"] == ("failed", 1), f"{states}\n{tail(proc.log)}"  # exit 2: one try, no retries
    assert {states[t][0] for t in ("silver", "gold", "train", "promote")} == {"upstream_failed"}, states
    new = alerts()[before:]
    assert [(a["dag_id"], a["task_id"], a["ds"]) for a in new] == [("fosm_batch", "bronze", "2026-01-02")], new
    assert "fosm bronze exited with 2: bad arguments or configuration" in new[0]["error"]
    assert "FOSM ALERT: fosm_batch.bronze failed for 2026-01-02" in proc.log.read_text(errors="replace")


def aliases() -> dict[str, str]:
    model = mlflow_get(f"registered-models/get?name={MODEL_NAME}")["registered_model"]
    return {a["alias"]: a["version"] for a in model.get("aliases", [])}


def write_flag(**fields):
    flag = {"drifted": True, "consecutive_drifted_windows": 3, "retrain_recommended": True,
            "report_json": str(LAKE / "_drift" / "reports" / "report-0003.json"),
            "report_end": "2026-01-01T00:15:00Z", **fields}
    path = LAKE / "_drift" / "flag.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(flag))
    return path


def drift_run(logical_date: str, log_name: str):
    proc = airflow("dags", "test", "fosm_drift_retrain", logical_date, env=spark_env(), log_name=log_name)
    return proc, task_states("fosm_drift_retrain", logical_date)


def test_drift_dag_skips_without_a_flag_and_below_the_threshold(batch_run):
    assert not (LAKE / "_drift" / "flag.json").exists()
    proc, states = drift_run("2026-01-02T01:00:00+00:00", "dags-test-drift-no-flag")
    assert proc.returncode == 0, tail(proc.log)
    assert states["check_drift"][0] == "success"
    assert {states[t][0] for t in ("train", "promote", "record_retrain")} == {"skipped"}, states
    assert "no drift flag at" in proc.log.read_text(errors="replace")

    write_flag(consecutive_drifted_windows=2)
    proc, states = drift_run("2026-01-02T02:00:00+00:00", "dags-test-drift-below-threshold")
    assert proc.returncode == 0, tail(proc.log)
    assert {states[t][0] for t in ("train", "promote", "record_retrain")} == {"skipped"}, states


def test_drift_dag_fails_on_a_malformed_flag(batch_run):
    path = write_flag(consecutive_drifted_windows="three")
    before = len(alerts())
    proc, states = drift_run("2026-01-02T03:00:00+00:00", "dags-test-drift-malformed")
    assert states["check_drift"] == ("failed", 1), states
    assert {states[t][0] for t in ("train", "promote", "record_retrain")} == {"upstream_failed"}, states
    [alert] = alerts()[before:]
    assert alert["task_id"] == "check_drift"
    assert f"Cannot read the drift flag {path}: key 'consecutive_drifted_windows' must be a int" in alert["error"]


def test_persistent_drift_retrains_and_promotes_once(batch_run):
    assert batch_run.returncode == 0, "the batch DAG must have trained a champion first"
    write_flag()
    proc, states = drift_run("2026-01-02T04:00:00+00:00", "dags-test-drift-retrain")
    assert proc.returncode == 0, tail(proc.log)
    assert states == {t: ("success", 1) for t in ("check_drift", "train", "promote", "record_retrain")}, states
    # a new version was trained and judged against champion 1: promoted, or left as challenger
    assert mlflow_get(f"model-versions/get?name={MODEL_NAME}&version=2")["model_version"]["version"] == "2"
    assert aliases() in ({"champion": "2"}, {"champion": "1", "challenger": "2"}), aliases()
    assert "promote: version 2" in proc.log.read_text(errors="replace")
    marker = json.loads((LAKE / "_drift" / "last_retrain.json").read_text())
    assert marker["flag"] == str(LAKE / "_drift" / "reports" / "report-0003.json")

    # the same report again (the flag file did not change): nothing more to do
    proc, states = drift_run("2026-01-02T05:00:00+00:00", "dags-test-drift-already-handled")
    assert proc.returncode == 0, tail(proc.log)
    assert {states[t][0] for t in ("train", "promote", "record_retrain")} == {"skipped"}, states
    assert "already triggered the retrain" in proc.log.read_text(errors="replace")
