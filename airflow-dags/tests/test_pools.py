"""The model tasks of both DAGs share one single-slot pool, and creating that pool is idempotent."""
from __future__ import annotations

import pytest

MODEL_TASKS = {("fosm_batch", "train"), ("fosm_batch", "promote"), ("fosm_drift_retrain", "train"),
               ("fosm_drift_retrain", "promote")}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import BundleDagBag
    from conftest import DAGS

    return BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS)


def test_train_and_promote_of_both_dags_run_in_the_one_slot_models_pool(dagbag):
    from fosm_airflow.pools import MODELS_POOL, MODELS_POOL_SLOTS

    assert MODELS_POOL_SLOTS == 1
    pooled = {(dag_id, t.task_id) for dag_id, dag in dagbag.dags.items() for t in dag.tasks if t.pool == MODELS_POOL}
    assert pooled == MODEL_TASKS
    for dag_id, task_id in MODEL_TASKS:
        assert dagbag.dags[dag_id].get_task(task_id).pool_slots == 1
    # the lakehouse tasks do not wait for the model tasks
    assert dagbag.dags["fosm_batch"].get_task("bronze").pool != MODELS_POOL


def test_the_pool_is_created_once_whatever_the_number_of_calls(airflow_db):
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session
    from fosm_airflow.pools import MODELS_POOL, ensure_models_pool

    with create_session() as session:
        session.query(Pool).filter(Pool.pool == MODELS_POOL).delete()
    ensure_models_pool()
    with create_session() as session:
        # someone widened it by hand: ensuring it again sets it back to one slot, still one row
        session.query(Pool).filter(Pool.pool == MODELS_POOL).update({Pool.slots: 5})
    ensure_models_pool()
    ensure_models_pool()
    with create_session() as session:
        pools = session.query(Pool).filter(Pool.pool == MODELS_POOL).all()
        assert [(p.pool, p.slots) for p in pools] == [(MODELS_POOL, 1)]
