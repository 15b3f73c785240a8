"""The DAG files import cleanly and their task graphs, retries, callbacks and rendered spark-submit arguments are as
designed. No Spark runs here."""
from __future__ import annotations

import argparse
import contextlib
import io
from datetime import timedelta

import pytest
from conftest import DAGS, JARS, LAKE

BATCH_CHAIN = ["bronze", "silver", "gold", "train", "promote"]
DRIFT_CHAIN = ["check_drift", "train", "promote", "record_retrain"]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import BundleDagBag

    return BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS)


def test_dagbag_imports_both_dags_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == ["fosm_batch", "fosm_drift_retrain"]
    # the helper package and the tests are not DAG files (.airflowignore)
    assert {stat.file for stat in dagbag.dagbag_stats} == {"fosm_batch.py", "fosm_drift_retrain.py"}


def assert_chain(dag, chain):
    assert sorted(dag.task_ids) == sorted(chain)
    for upstream, downstream in zip(chain, chain[1:]):
        assert dag.get_task(upstream).downstream_task_ids == {downstream}, upstream
    assert dag.get_task(chain[0]).upstream_task_ids == set()
    assert dag.get_task(chain[-1]).downstream_task_ids == set()


def test_batch_dag_is_the_lakehouse_chain_with_retries_and_alerts(dagbag):
    from fosm_airflow import FosmSubmitOperator, alert_on_failure

    dag = dagbag.dags["fosm_batch"]
    assert_chain(dag, BATCH_CHAIN)
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    for task in dag.tasks:
        assert isinstance(task, FosmSubmitOperator)
        assert task.retries == 2
        assert task.retry_delay == timedelta(minutes=2)
        assert task.on_failure_callback == [alert_on_failure] or task.on_failure_callback == alert_on_failure
        assert task._conn_id == "fosm_spark"
        assert task._java_class == "io.fosm.jobs.Fosm"
        assert task.application_args[0] == task.task_id
        dated = "--date" in task.application_args
        assert dated == (task.task_id in ("silver", "gold")), task.task_id


def test_drift_dag_short_circuits_before_train_and_promote(dagbag):
    from airflow.providers.standard.operators.python import ShortCircuitOperator
    from fosm_airflow import FosmSubmitOperator

    dag = dagbag.dags["fosm_drift_retrain"]
    assert_chain(dag, DRIFT_CHAIN)
    assert isinstance(dag.get_task("check_drift"), ShortCircuitOperator)
    assert dag.get_task("check_drift").retries == 0  # reading a file: a retry would read the same file
    for task_id in ("train", "promote"):
        task = dag.get_task(task_id)
        assert isinstance(task, FosmSubmitOperator)
        assert task.retries == 2
        assert "--date" not in task.application_args
    assert dag.params["min_consecutive_windows"] == 3


def render(dag, task_id: str, logical_date: str) -> str:
    """`airflow tasks render` in process: the templated fields of the task for that logical date, as printed."""
    from airflow.cli.commands.task_command import task_render

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        task_render(argparse.Namespace(dag_id=dag.dag_id, task_id=task_id, map_index=-1,
                                       logical_date_or_run_id=logical_date, bundle_name=None, verbose=False), dag=dag)
    return out.getvalue()


def rendered_field(text: str, name: str) -> str:
    marker = f"# property: {name}\n# ----------------------------------------------------------\n"
    return text.split(marker, 1)[1].split("\n# ---", 1)[0].strip()


@pytest.mark.parametrize("task_id,date,expected", [
    ("silver", "2026-01-03", ["silver", "--profile", "local", "--conf", f"lakehouse.root={LAKE}", "--date",
                              "2026-01-03"]),
    ("gold", "2025-12-31", ["gold", "--profile", "local", "--conf", f"lakehouse.root={LAKE}", "--date",
                            "2025-12-31"]),
    ("bronze", "2026-01-03", ["bronze", "--profile", "local", "--conf", f"lakehouse.root={LAKE}"]),
    ("train", "2026-01-03", ["train", "--profile", "local", "--conf", f"lakehouse.root={LAKE}"]),
])
def test_batch_arguments_render_for_the_run_date(dagbag, airflow_db, task_id, date, expected):
    text = render(dagbag.dags["fosm_batch"], task_id, date)
    assert rendered_field(text, "application_args") == repr(expected)
    assert rendered_field(text, "application") == str(JARS[-1])
    assert rendered_field(text, "conf") == repr({"spark.driver.memory": "2g"})


def test_drift_threshold_renders_from_the_dag_params(dagbag, airflow_db):
    text = render(dagbag.dags["fosm_drift_retrain"], "check_drift", "2026-01-03T05:00:00+00:00")
    assert rendered_field(text, "op_kwargs") == repr({"min_consecutive_windows": "3"})
