"""Shared pieces of the fosm DAGs: how a fosm command becomes a spark-submit, what its exit code means for retries,
the failure alert and the drift flag.

Nothing here runs at import time beyond class and constant definitions: the scheduler parses the DAG files often,
so Variables, files and connections are read only when a task runs (templates, callables, callbacks).

Settings (Airflow Variables, e.g. AIRFLOW_VAR_FOSM_LAKEHOUSE_ROOT in the environment):
    fosm_lakehouse_root   lakehouse root the jobs read and write (required): /data/fosm, s3a://bucket/fosm, ...
    fosm_jar              the shaded jar (default /opt/fosm/fosm-jobs-all.jar)
    fosm_profile          fosm configuration profile (default local; cluster on a cluster)
    fosm_driver_memory    spark.driver.memory of every job (default 2g)
    fosm_drift_flag       the drift flag file (default <fosm_lakehouse_root>/_drift/flag.json)
    fosm_alert_file       optional: failure alerts are also appended to this file as JSON lines
The Spark master is the Airflow connection `fosm_spark` (AIRFLOW_CONN_FOSM_SPARK). Any other fosm setting (MLflow
server, training options, fibers) is fosm configuration: FOSM_* / MLFLOW_TRACKING_URI in the worker's environment or
FOSM_CONF_FILE (docs/configuration.md).
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import Variable
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

log = logging.getLogger(__name__)

SPARK_CONN_ID = "fosm_spark"
MAIN_CLASS = "io.fosm.jobs.Fosm"
LAKEHOUSE = "{{ var.value.fosm_lakehouse_root }}"
JAR = "{{ var.value.get('fosm_jar', '/opt/fosm/fosm-jobs-all.jar') }}"
PROFILE = "{{ var.value.get('fosm_profile', 'local') }}"
DRIVER_MEMORY = "{{ var.value.get('fosm_driver_memory', '2g') }}"

# io.fosm.jobs.Fosm exit codes. 1 and 2 are answers, not accidents: a retry would give the same answer, so the task
# fails at once. 3 (a failed Spark task, a missing input table, a lost executor) may succeed on a retry.
EXIT_MEANING = {
    1: "the job ran but refused to publish (a failed quality gate: silver's Deequ checks or the training-set checks)",
    2: "bad arguments or configuration",
    3: "the job failed (missing input table, failed Spark task, ...)",
}
NO_RETRY_EXIT_CODES = frozenset({1, 2})

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "fosm",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=3),
}


def fosm_args(command: str, *, dated: bool) -> list[str]:
    """The application arguments of `fosm <command>`: profile and lakehouse always, the run's date for dated jobs
    (silver, gold, score), so a backfill of a day reprocesses exactly that day."""
    args = [command, "--profile", PROFILE, "--conf", "lakehouse.root=" + LAKEHOUSE]
    if dated:
        args += ["--date", "{{ ds }}"]
    return args


class FosmSubmitOperator(SparkSubmitOperator):
    """spark-submit of one fosm command through the `fosm_spark` connection.

    A non-zero exit fails the task with the meaning of the exit code; exit codes 1 and 2 fail it without retries.
    """

    ui_color = "#e8f2fb"

    def __init__(self, *, command: str, dated: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("task_id", command)
        kwargs.setdefault("name", "fosm-" + command + ("-{{ ds }}" if dated else ""))
        super().__init__(
            application=JAR,
            java_class=MAIN_CLASS,
            conn_id=SPARK_CONN_ID,
            application_args=fosm_args(command, dated=dated),
            conf={"spark.driver.memory": DRIVER_MEMORY},
            **kwargs,
        )
        self.command = command

    def execute(self, context: Any) -> None:
        try:
            super().execute(context)
        except AirflowException as e:
            code = submit_exit_code(self._hook, e)
            if code is None:
                raise
            message = f"fosm {self.command} exited with {code}: {EXIT_MEANING.get(code, 'unknown exit code')}"
            if code in NO_RETRY_EXIT_CODES:
                raise AirflowFailException(message + " (not retried: a retry would give the same answer)") from e
            raise AirflowException(message) from e


def submit_exit_code(hook: Any, error: BaseException) -> int | None:
    """The spark-submit exit code after a failed submit: from the process when the hook kept it, else from the
    hook's message ('Error code is: N')."""
    process = getattr(hook, "_submit_sp", None)
    if process is not None and process.returncode is not None:
        return process.returncode
    match = re.search(r"Error code is: (\d+)", str(error))
    return int(match.group(1)) if match else None


def alert_on_failure(context: dict[str, Any]) -> None:
    """Failure callback of every fosm task: one ERROR log line an alerting pipeline can match, and one JSON line in
    the file of the `fosm_alert_file` Variable when it is set."""
    ti = context["ti"]
    alert = {
        "dag_id": ti.dag_id,
        "task_id": ti.task_id,
        "run_id": context.get("run_id"),
        "ds": context.get("ds"),
        "try_number": ti.try_number,
        "error": str(context.get("exception") or "unknown"),
        "at": datetime.now(timezone.utc).isoformat(),
    }
    log.error("FOSM ALERT: %s.%s failed for %s (try %s): %s", alert["dag_id"], alert["task_id"], alert["ds"],
              alert["try_number"], alert["error"])
    alert_file = Variable.get("fosm_alert_file", default=None)
    if alert_file:
        path = Path(alert_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(alert) + "\n")


# ---- drift flag -------------------------------------------------------------------------------------------------

HANDLED_FILE = "last_retrain.json"


def drift_flag_path() -> Path:
    """The flag file the drift reports write (fosm_drift_flag, or <lakehouse>/_drift/flag.json); local or file: only."""
    flag = Variable.get("fosm_drift_flag", default=None) or (
        Variable.get("fosm_lakehouse_root").rstrip("/") + "/_drift/flag.json")
    if flag.startswith("file:"):
        flag = re.sub(r"^file:(//)?", "", flag)
    elif re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", flag):
        raise AirflowFailException(
            f"Cannot read the drift flag {flag}: only local paths are supported; set the Variable fosm_drift_flag to "
            "a local or mounted copy of the flag file")
    return Path(flag)


def read_drift_flag(path: Path) -> dict[str, Any] | None:
    """The parsed flag, None when there is none yet; a malformed flag fails the task naming the file and key."""
    if not path.exists():
        return None
    try:
        flag = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise AirflowFailException(f"Cannot parse the drift flag {path}: {e}") from e
    if not isinstance(flag, dict):
        raise AirflowFailException(f"Cannot read the drift flag {path}: expected a JSON object, got {type(flag).__name__}")
    for key, kind in (("drifted", bool), ("consecutive_drifted_windows", int)):
        value = flag.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise AirflowFailException(
                f"Cannot read the drift flag {path}: key '{key}' must be a {kind.__name__}, got {value!r}")
    return flag


def flag_identity(flag: dict[str, Any]) -> str:
    """What identifies one drift episode's latest report: its report file, else its end time."""
    return str(flag.get("report_json") or flag.get("report") or flag.get("report_end") or flag.get("updated_at"))


def should_retrain(min_consecutive_windows: int | str) -> bool:
    """ShortCircuit callable: True (go on to train and promote) when retrain_decision says so for the flag file."""
    try:
        windows = int(min_consecutive_windows)  # a rendered template is a string
    except ValueError:
        raise AirflowFailException(
            f"min_consecutive_windows must be an integer, cannot be: {min_consecutive_windows!r}") from None
    retrain, reason = retrain_decision(drift_flag_path(), windows)
    log.info("%s: %s", "Retraining" if retrain else "No retrain", reason)
    return retrain


def retrain_decision(path: Path, min_consecutive_windows: int) -> tuple[bool, str]:
    """Whether the flag at `path` asks for a retrain, and why: drift persisted for at least `min_consecutive_windows`
    report windows and this report has not already triggered a retrain. No flag yet means no retrain; a malformed
    flag fails (AirflowFailException naming the file and key)."""
    if min_consecutive_windows < 1:
        raise AirflowFailException(
            f"min_consecutive_windows must be at least 1, cannot be: {min_consecutive_windows}")
    flag = read_drift_flag(path)
    if flag is None:
        return False, f"no drift flag at {path} yet (the drift reports write it)"
    windows = flag["consecutive_drifted_windows"]
    if not flag["drifted"] or windows < min_consecutive_windows:
        return False, (f"drift flag {path}: drifted={flag['drifted']} for {windows} consecutive windows "
                       f"(retrain from {min_consecutive_windows})")
    handled = path.parent / HANDLED_FILE
    if handled.exists():
        try:
            done = json.loads(handled.read_text(encoding="utf-8"))
        except ValueError:
            done = {}  # a damaged marker must not block a retrain: retraining twice is the safe side
        if isinstance(done, dict) and done.get("flag") == flag_identity(flag):
            return False, (f"drift report {flag_identity(flag)} already triggered the retrain of run "
                           f"{done.get('run_id')}")
    return True, (f"drift flag {path}: drifted for {windows} consecutive windows "
                  f"(retrain from {min_consecutive_windows})")


def mark_retrained(run_id: str) -> str:
    """Records that the current drift report has been answered by a retrain (read back by should_retrain)."""
    path = drift_flag_path()
    flag = read_drift_flag(path)
    if flag is None:
        raise AirflowSkipException(f"The drift flag {path} disappeared after the retrain; nothing to record")
    handled = path.parent / HANDLED_FILE
    tmp = handled.with_name("." + HANDLED_FILE + ".tmp")
    tmp.write_text(json.dumps({"flag": flag_identity(flag), "run_id": run_id,
                               "at": datetime.now(timezone.utc).isoformat()}) + "\n", encoding="utf-8")
    tmp.replace(handled)
    return str(handled)
