"""The retry policy of the fosm DAGs, through their own pieces (FosmSubmitOperator, DEFAULT_ARGS with retries=2 and
the failure alert) with real spark-submits of the shaded jar under real Airflow (`dag.test()`): exit 3 (a failure)
is retried until the retries run out, exit 1 (a refusal) and exit 2 (bad arguments or configuration) fail at the
first try; the alert names the exit code's meaning. Only the retry delay is shortened, so the retries run at once."""
from __future__ import annotations

import subprocess
import textwrap
from datetime import datetime

import pytest
from conftest import BUILD, LAKE, ROOT, alerts, spark_env, task_states

DATE = "2026-01-01"

# dag id -> the fosm command line of its one task (the DAG code adds --profile and --conf lakehouse.root)
CASES = {
    # the MLflow server is down: a failure a later try may not meet (rollback starts no Spark session: quick tries)
    "fosm_exit_3": ["rollback", "--conf", "mlflow.tracking_uri=http://127.0.0.1:9"],
    "fosm_exit_2": ["rollback", "--conf", "promote.metric=luck"],
    # a day without bronze rows: silver's Deequ gate refuses to publish it
    "fosm_exit_1": ["silver", "--date", "2030-01-01"],
}

DAG_FILE = textwrap.dedent('''
    from datetime import datetime, timedelta

    from airflow.sdk import DAG

    from fosm_airflow import DEFAULT_ARGS, FosmSubmitOperator, alert_on_failure

    for dag_id, (command, *args) in {cases!r}.items():
        with DAG(dag_id=dag_id, schedule=None, start_date=datetime(2026, 1, 1), catchup=False,
                 default_args={{**DEFAULT_ARGS, "on_failure_callback": alert_on_failure,
                               "retry_delay": timedelta(seconds=1), "max_retry_delay": timedelta(seconds=1)}}) as dag:
            task = FosmSubmitOperator(command=command, task_id="job")
            task.application_args = [*task.application_args, *args]
        globals()[dag_id] = dag
''')


@pytest.fixture(scope="module")
def exit_code_dags(airflow_db, tiny_lakehouse, tmp_path_factory):
    """The test DAGs, written to the metadata DB as the DAG processor would (dag.test() runs serialized DAGs)."""
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db

    folder = tmp_path_factory.mktemp("exit-code-dags")
    (folder / "fosm_exit_codes.py").write_text(DAG_FILE.format(cases=CASES))
    bag = BundleDagBag(dag_folder=str(folder), bundle_path=folder, bundle_name="dags-folder")
    assert bag.import_errors == {}, bag.import_errors
    sync_bag_to_db(bag, "dags-folder", None)
    return bag.dags


@pytest.fixture(scope="module")
def bronze_lakehouse(tiny_lakehouse):
    """A lakehouse of its own (the batch DAG's test counts what its bronze lands) with tiny_lakehouse's landing
    files in bronze, so silver can run."""
    lake = BUILD / "lakehouse-exit-codes"
    lake.mkdir(exist_ok=True)
    if not (lake / "landing").exists():
        (lake / "landing").symlink_to(LAKE / "landing", target_is_directory=True)
    proc = subprocess.run([str(ROOT / "bin" / "fosm"), "bronze", "--conf", f"lakehouse.root={lake}"],
                          env=spark_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"fosm bronze failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return lake


def run(dags, dag_id: str, monkeypatch) -> tuple[tuple[str, int], list[dict]]:
    """dag.test() of one test DAG: the task's (state, tries) and the alerts it raised."""
    for key, value in spark_env().items():
        if key != "AIRFLOW_VAR_FOSM_LAKEHOUSE_ROOT":
            monkeypatch.setenv(key, value)
    before = len(alerts())
    dags[dag_id].test(logical_date=datetime.fromisoformat(DATE + "T00:00:00+00:00"))
    return task_states(dag_id, DATE)["job"], alerts()[before:]


def test_a_failure_exit_3_is_retried(exit_code_dags, monkeypatch):
    state, raised = run(exit_code_dags, "fosm_exit_3", monkeypatch)
    assert state == ("failed", 3), f"three tries (retries=2): {state}"
    assert len(raised) == 1, raised  # the alert fires once, when the last retry failed
    assert "fosm rollback exited with 3: the job failed" in raised[0]["error"], raised


def test_bad_configuration_exit_2_is_not_retried(exit_code_dags, monkeypatch):
    state, raised = run(exit_code_dags, "fosm_exit_2", monkeypatch)
    assert state == ("failed", 1), state
    assert "fosm rollback exited with 2: bad arguments or configuration (not retried" in raised[0]["error"], raised


def test_a_refusal_exit_1_is_not_retried(exit_code_dags, bronze_lakehouse, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_FOSM_LAKEHOUSE_ROOT", str(bronze_lakehouse))
    state, raised = run(exit_code_dags, "fosm_exit_1", monkeypatch)
    assert state == ("failed", 1), state
    assert "fosm silver exited with 1: the job ran but refused to publish" in raised[0]["error"], raised
    assert "(not retried: a retry would give the same answer)" in raised[0]["error"], raised
