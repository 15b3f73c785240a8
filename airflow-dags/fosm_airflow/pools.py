"""The Airflow pool that keeps fosm's model tasks from overlapping.

`train` and `promote` of fosm_batch and of fosm_drift_retrain act on the one registered model: two trainings at once
would race for the `challenger` alias, two promotions for `champion` (fosm itself refuses the second promotion with
exit 3, see docs/reliability.md). All four tasks run in the pool `fosm_models` of one slot, so across both DAGs only
one of them runs at a time; the others wait queued.

Create the pool once per Airflow installation (idempotent: it creates or updates, never duplicates):

    python -m fosm_airflow.pools            # with AIRFLOW_HOME / the metadata DB of the installation
    airflow pools set fosm_models 1 "..."   # the same with the CLI
"""
from __future__ import annotations

MODELS_POOL = "fosm_models"
MODELS_POOL_SLOTS = 1
MODELS_POOL_DESCRIPTION = ("fosm train and promote of every DAG: one at a time, they act on the one registered "
                           "model (fosm_airflow.pools)")


def ensure_models_pool():
    """Creates the pool, or sets its slots and description when it exists; returns it. Needs the metadata DB."""
    from airflow.models.pool import Pool

    return Pool.create_or_update_pool(name=MODELS_POOL, slots=MODELS_POOL_SLOTS,
                                      description=MODELS_POOL_DESCRIPTION, include_deferred=False)


if __name__ == "__main__":
    pool = ensure_models_pool()
    print(f"pool {pool.pool}: {pool.slots} slot(s)")
