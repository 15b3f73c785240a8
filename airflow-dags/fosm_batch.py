"""fosm_batch: the daily lakehouse refresh and model update.

    bronze -> silver --date {{ ds }} -> gold --date {{ ds }} -> train -> promote

Each task is one spark-submit of the shaded jar (io.fosm.jobs.Fosm) through the Spark connection `fosm_spark`.
Re-running a task or a whole day is safe: bronze lands only files it has not seen, silver and gold replace the
partitions of their date, train registers a new challenger version, and promote only moves the champion alias
when the challenger beats it. A backfill (`airflow backfill create --dag-id fosm_batch --from-date ... --to-date
...`) therefore reprocesses exactly the days asked for. Settings: see fosm_airflow.
"""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from fosm_airflow import DEFAULT_ARGS, FosmSubmitOperator, alert_on_failure
from fosm_airflow.pools import MODELS_POOL

with DAG(
    dag_id="fosm_batch",
    description="bronze -> silver (Deequ gate) -> gold -> train -> promote, one event date per run",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    # bronze appends and train/promote act on the one registered model: runs of different days must not overlap
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "on_failure_callback": alert_on_failure},
    tags=["fosm", "spark"],
    doc_md=__doc__,
) as dag:
    bronze = FosmSubmitOperator(command="bronze")
    silver = FosmSubmitOperator(command="silver", dated=True,
                                doc_md="Exit 1 (the Deequ gate refused the day, or the day has no bronze rows) fails "
                                       "the run without retries; nothing was published.")
    gold = FosmSubmitOperator(command="gold", dated=True)
    # train and promote share the one-slot pool with fosm_drift_retrain's: never two of them at once
    train = FosmSubmitOperator(command="train", pool=MODELS_POOL,
                               doc_md="Exit 1: the training-set checks failed (too few windows of a class).")
    promote = FosmSubmitOperator(command="promote", pool=MODELS_POOL,
                                 doc_md="Not promoting a worse challenger is a normal outcome (exit 0).")

    bronze >> silver >> gold >> train >> promote
