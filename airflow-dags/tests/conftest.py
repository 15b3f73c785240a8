"""Test set-up of the DAG tests: a throw-away AIRFLOW_HOME with a SQLite metadata DB, the fosm settings as Airflow
Variables and the Spark connection in the environment, and helpers to run the real `airflow` CLI.

The environment is set here, at import, because Airflow reads its configuration when it is first imported.
Run with the Airflow virtualenv: `make test-airflow`.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1]
ROOT = DAGS.parent
BUILD = Path(os.environ.get("AIRFLOW_TEST_BUILD_DIR") or tempfile.mkdtemp(prefix="fosm-airflow-test-")).resolve()
HOME = BUILD / "airflow-home"
LAKE = BUILD / "lakehouse"
ALERTS = BUILD / "alerts.jsonl"
LOGS = BUILD / "logs"
AIRFLOW = str(Path(sys.executable).parent / "airflow")
MAIN_VENV = ROOT / ".venv"
JARS = sorted((ROOT / "jobs" / "target").glob("fosm-jobs-*-all.jar"))
# one registered model per test session, so the registry starts empty for it (deleted again at the end)
MODEL_NAME = f"fosm-airflow-test-{int(time.time())}"

# the DAG folder is importable, as Airflow's DAG processor makes a bundle's folder (the DAGs import fosm_airflow)
sys.path.insert(0, str(DAGS))

if BUILD.exists() and os.environ.get("AIRFLOW_TEST_BUILD_DIR"):
    shutil.rmtree(BUILD)
for d in (HOME, LAKE, LOGS):
    d.mkdir(parents=True, exist_ok=True)

os.environ.update({
    "AIRFLOW_HOME": str(HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
    "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(HOME / "logs"),
    # the Spark master of the jobs: local Spark; on a cluster e.g. {"conn_type": "spark", "host": "spark://m", "port": 7077}
    "AIRFLOW_CONN_FOSM_SPARK": json.dumps({"conn_type": "spark", "host": "local[2]"}),
    "AIRFLOW_VAR_FOSM_LAKEHOUSE_ROOT": str(LAKE),
    "AIRFLOW_VAR_FOSM_JAR": str(JARS[-1]) if JARS else "",
    "AIRFLOW_VAR_FOSM_PROFILE": "local",
    "AIRFLOW_VAR_FOSM_ALERT_FILE": str(ALERTS),
})


def spark_env() -> dict[str, str]:
    """What a worker needs to run the jobs: spark-submit (the pyspark of .venv) on PATH, the MLflow server, a small
    training configuration (one model, no search) and a registered model of its own."""
    env = dict(os.environ)
    spark_home = subprocess.run([str(MAIN_VENV / "bin" / "python"), "-c",
                                 "import os, pyspark; print(os.path.dirname(pyspark.__file__))"],
                                check=True, capture_output=True, text=True).stdout.strip()
    env.update({
        "PATH": f"{MAIN_VENV / 'bin'}:{env.get('PATH', '')}",
        "SPARK_HOME": spark_home,
        "FOSM_MLFLOW_EXPERIMENT": "fosm-airflow-test",
        "FOSM_MLFLOW_MODEL_NAME": MODEL_NAME,
        "FOSM_TRAIN_MODELS": "lr",
        "FOSM_TRAIN_SEARCH": "false",
        "FOSM_TRAIN_ANOMALY": "false",
        "FOSM_SPARK_SHUFFLE_PARTITIONS": "2",
    })
    return env


def airflow(*args: str, env: dict[str, str] | None = None, log_name: str | None = None,
            timeout: int = 1800) -> subprocess.CompletedProcess:
    """Runs the real `airflow` CLI; its output goes to LOGS/<log_name>.log (the Spark logs are long)."""
    log = LOGS / f"{log_name or args[0]}.log"
    with log.open("w") as out:
        proc = subprocess.run([AIRFLOW, *args], env=env or dict(os.environ), stdout=out, stderr=subprocess.STDOUT,
                              timeout=timeout, cwd=BUILD)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def tail(path: Path, n: int = 60) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-n:])


def task_states(dag_id: str, logical_date: str) -> dict[str, tuple[str, int]]:
    """Task id -> (state, try number) of the DAG run of that logical date, from the metadata DB."""
    from airflow.models import DagRun, TaskInstance
    from airflow.utils.session import create_session
    from airflow.sdk import timezone

    when = timezone.parse(logical_date)
    with create_session() as session:
        run = (session.query(DagRun).filter(DagRun.dag_id == dag_id, DagRun.logical_date == when)
               .order_by(DagRun.id.desc()).first())
        assert run is not None, f"no run of {dag_id} for {logical_date}"
        return {ti.task_id: (str(ti.state), ti.try_number) for ti in
                session.query(TaskInstance).filter(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id)}


def alerts() -> list[dict]:
    if not ALERTS.exists():
        return []
    return [json.loads(line) for line in ALERTS.read_text().splitlines() if line.strip()]


def mlflow_get(path: str) -> dict:
    uri = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
    with urllib.request.urlopen(f"{uri}/api/2.0/mlflow/{path}", timeout=30) as r:
        return json.loads(r.read())


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated metadata DB with both DAGs serialized into it (what a scheduler's DAG processor would do)."""
    for args in (("db", "migrate"), ("dags", "reserialize")):
        proc = airflow(*args, log_name="-".join(args), timeout=600)
        assert proc.returncode == 0, f"airflow {' '.join(args)} failed:\n{tail(proc.log)}"
    # the model tasks' pool, as an installation creates it (docs/airflow.md)
    from fosm_airflow.pools import ensure_models_pool
    ensure_models_pool()
    return HOME


@pytest.fixture(scope="session")
def tiny_lakehouse(airflow_db) -> Path:
    """A tiny synthetic fiber (32 channels x 90 s, every event class) in landing/, nothing else yet."""
    if not JARS:
        pytest.fail("Cannot find jobs/target/fosm-jobs-*-all.jar: run 'make build' first")
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        pytest.fail("MLFLOW_TRACKING_URI is not set: the train/promote tasks need the MLflow server (make mlflow-up)")
    proc = subprocess.run([str(ROOT / "bin" / "fosm"), "generate", "--out", str(LAKE), "--fiber-id", "demo",
                           "--channels", "32", "--duration", "90", "--seed", "7", "--event-rate", "12"],
                          env=spark_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"fosm generate failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    yield LAKE
    try:  # the session's registered model is test debris in the shared MLflow server
        req = urllib.request.Request(
            os.environ["MLFLOW_TRACKING_URI"].rstrip("/") + "/api/2.0/mlflow/registered-models/delete",
            data=json.dumps({"name": MODEL_NAME}).encode(), method="DELETE",
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=30).close()
    except OSError:
        pass
