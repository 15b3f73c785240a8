"""fosm_drift_retrain: retrain and promote when the streaming drift reports say drift persists.

    check_drift (short-circuit) -> train -> promote -> record_retrain

check_drift reads the drift flag file (<lakehouse>/_drift/flag.json, written by the drift reports) and goes on only
when it says drifted for at least `min_consecutive_windows` consecutive report windows and that report has not
already triggered a retrain (record_retrain writes _drift/last_retrain.json next to the flag). Otherwise the rest is
skipped. A missing flag skips too; a malformed one fails naming the file and key. Settings: see fosm_airflow.
"""
from __future__ import annotations

from datetime import datetime

from airflow.providers.standard.operators.python import PythonOperator, ShortCircuitOperator
from airflow.sdk import DAG, Param

from fosm_airflow import DEFAULT_ARGS, FosmSubmitOperator, alert_on_failure, mark_retrained, should_retrain
from fosm_airflow.pools import MODELS_POOL

with DAG(
    dag_id="fosm_drift_retrain",
    description="retrain and promote when drift persists for consecutive report windows",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "on_failure_callback": alert_on_failure},
    params={
        # drift.retrain_after of the fosm configuration says the same for the flag's retrain_recommended
        "min_consecutive_windows": Param(3, type="integer", minimum=1,
                                         description="retrain after this many consecutive drifted report windows"),
    },
    tags=["fosm", "spark", "drift"],
    doc_md=__doc__,
) as dag:
    check = ShortCircuitOperator(
        task_id="check_drift",
        python_callable=should_retrain,
        op_kwargs={"min_consecutive_windows": "{{ params.min_consecutive_windows }}"},
        retries=0,
    )
    # the pool of fosm_batch's train and promote too: a retrain never overlaps the daily one
    train = FosmSubmitOperator(command="train", pool=MODELS_POOL)
    promote = FosmSubmitOperator(command="promote", pool=MODELS_POOL)
    record = PythonOperator(
        task_id="record_retrain",
        python_callable=mark_retrained,
        op_kwargs={"run_id": "{{ run_id }}"},
    )

    check >> train >> promote >> record
