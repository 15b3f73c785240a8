"""The notebooks run headless (papermill, a real ipykernel) against a small lakehouse built by the real jobs, and
show what the lakehouse and MLflow hold; the committed notebooks carry no outputs.

Run with the project's virtualenv: `make test-notebooks` (needs the shaded jar and the MLflow server).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import papermill
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1]
ROOT = NOTEBOOKS.parent
BUILD = Path(os.environ.get("NOTEBOOK_TEST_BUILD_DIR") or tempfile.mkdtemp(prefix="fosm-notebooks-test-")).resolve()
LAKE = BUILD / "lakehouse"
EXPERIMENT = "fosm-notebooks-test"
MODEL_NAME = f"fosm-notebooks-test-{int(time.time())}"
NAMES = ["01_signals.ipynb", "02_features.ipynb", "03_models.ipynb", "04_drift.ipynb"]

# the kernel (kernel.json runs `python`) must be this virtualenv's python, with pyspark and the notebook helper
os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
sys.path.insert(0, str(NOTEBOOKS))


def fosm(*args: str, env: dict[str, str]) -> str:
    proc = subprocess.run([str(ROOT / "bin" / "fosm"), *args], env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"fosm {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture(scope="session")
def lakehouse():
    """A small fiber through generate -> bronze -> silver -> gold -> train (one model), and what the jobs said."""
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        pytest.fail("MLFLOW_TRACKING_URI is not set: notebook 03 reads the MLflow server (make mlflow-up)")
    env = dict(os.environ, FOSM_LAKEHOUSE_ROOT=str(LAKE), FOSM_MLFLOW_EXPERIMENT=EXPERIMENT,
               FOSM_MLFLOW_MODEL_NAME=MODEL_NAME, FOSM_TRAIN_MODELS="lr", FOSM_TRAIN_SEARCH="false",
               FOSM_TRAIN_ANOMALY="false", FOSM_SPARK_SHUFFLE_PARTITIONS="2")
    fosm("generate", "--out", str(LAKE), "--fiber-id", "demo", "--channels", "32", "--duration", "90", "--seed", "7",
         "--event-rate", "12", env=env)
    fosm("bronze", env=env)
    fosm("silver", env=env)
    gold = fosm("gold", env=env)
    train = fosm("train", env=env)
    windows = re.search(r"gold: (\d+) windows \{([^}]*)\}", gold)
    evaluation = re.search(r"(\d+) evaluation windows", train)
    assert windows and evaluation, gold + train
    yield {
        "windows": int(windows.group(1)),
        "per_label": {k: int(v) for k, v in (kv.split("=") for kv in windows.group(2).split(", "))},
        "evaluation_windows": int(evaluation.group(1)),
    }
    try:  # the session's registered model is test debris in the shared MLflow server
        req = urllib.request.Request(
            os.environ["MLFLOW_TRACKING_URI"].rstrip("/") + "/api/2.0/mlflow/registered-models/delete",
            data=json.dumps({"name": MODEL_NAME}).encode(), method="DELETE",
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=30).close()
    except OSError:
        pass


def execute(name: str, out_name: str | None = None, **parameters) -> nbformat.NotebookNode:
    """Runs the notebook with papermill in a real kernel; the executed copy is kept in BUILD for reading."""
    out = BUILD / (out_name or name)
    return papermill.execute_notebook(str(NOTEBOOKS / name), str(out), parameters=parameters, kernel_name="python3",
                                      cwd=str(NOTEBOOKS), progress_bar=False, request_save_on_cell_execute=False)


def text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                parts.append(o["text"])
            elif "data" in o and "text/plain" in o["data"]:
                parts.append(o["data"]["text/plain"])
    return "\n".join(parts)


def images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for cell in nb.cells for o in cell.get("outputs", []))


def test_committed_notebooks_carry_no_outputs():
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, \
                    f"{name} cell {i} has outputs: strip them (jupyter nbconvert --clear-output --inplace {name})"
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), f"{name} has no parameters cell"


def test_signals_shows_every_event_class_and_background(lakehouse):
    nb = execute("01_signals.ipynb", lakehouse_root=str(LAKE), seconds=4)
    out = text(nb)
    events = [json.loads(l) for f in (LAKE / "events").glob("*_events.jsonl") for l in f.read_text().splitlines()]
    classes = {e["event_type"] for e in events}
    rms = {m.group(1): float(m.group(3)) for m in
           re.finditer(r"^(\w+)\s+channel\s+(\d+)\s+4\.0 s\s+rms ([0-9.]+)", out, re.M)}
    assert set(rms) == classes | {"background"}, out
    # the strongest event of a class stands out of the background it was injected into
    assert max(v for k, v in rms.items() if k != "background") > 1.5 * rms["background"], rms
    assert images(nb) == 1


def test_features_counts_windows_per_label_as_gold_reported(lakehouse):
    nb = execute("02_features.ipynb", lakehouse_root=str(LAKE), sample_rows=5000, top_features=4)
    out = text(nb)
    table = out.split("windows per label:", 1)[1]
    shown = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}
    assert shown == lakehouse["per_label"], out[:3000]
    assert "most correlated pairs:" in out
    assert images(nb) == 2  # the distributions and the correlation matrix


def test_models_reads_the_leaderboard_and_confusion_matrix_from_mlflow(lakehouse):
    from mlflow.tracking import MlflowClient

    nb = execute("03_models.ipynb", mlflow_tracking_uri=os.environ["MLFLOW_TRACKING_URI"], experiment=EXPERIMENT,
                 model_name=MODEL_NAME)
    out = text(nb)
    client = MlflowClient(os.environ["MLFLOW_TRACKING_URI"])
    exp = client.get_experiment_by_name(EXPERIMENT)
    best = client.search_runs([exp.experiment_id], order_by=["metrics.macro_f1 DESC"], max_results=1)[0]
    assert f"confusion matrix of run {best.info.run_id} (best run of the leaderboard)" in out \
        or "(champion)" in out, out
    assert f"{round(best.data.metrics['macro_f1'], 4)}" in out
    assert "logistic_regression" in out
    # the matrix covers exactly the evaluation range fosm train reported
    assert f"evaluation windows: {lakehouse['evaluation_windows']}," in out, out
    assert images(nb) == 1


def test_drift_says_so_when_there_are_no_reports(lakehouse):
    nb = execute("04_drift.ipynb", "04_drift-absent.ipynb", lakehouse_root=str(LAKE))
    out = text(nb)
    assert f"No drift_reports table at {LAKE}/drift/reports" in out
    assert images(nb) == 0


def test_drift_plots_statistics_over_time_and_lists_flagged_columns(lakehouse):
    """A drift_reports table of known content (three windows; `b` flagged in the last two) in another lakehouse."""
    import datetime as dt

    import fosm_notebook as fn
    from pyspark.sql import Row

    root = BUILD / "drift-lakehouse"
    spark = fn.spark_session()
    try:
        t0 = dt.datetime(2026, 1, 1, 0, 0)
        rows = []
        for w, (psi_a, psi_b) in enumerate([(0.01, 0.02), (0.03, 0.40), (0.02, 0.55)]):
            start, end = t0 + dt.timedelta(minutes=5 * w), t0 + dt.timedelta(minutes=5 * (w + 1))
            for feature, psi in (("a", psi_a), ("b", psi_b)):
                rows.append(Row(report_start=start, report_end=end, reference="v1", kind="feature", feature=feature,
                                value_count=100, invalid_count=0, psi=psi, ks_statistic=psi / 2, ks_pvalue=0.5,
                                js_distance=psi / 3, wasserstein=psi,
                                flagged=psi >= 0.25, window_drifted=psi >= 0.25, reported_at=end))
        spark.createDataFrame(rows).write.format("delta").mode("overwrite").save(fn.table_path(str(root),
                                                                                                "drift_reports"))
    finally:
        spark.stop()
    (root / "_drift").mkdir(parents=True, exist_ok=True)
    (root / "_drift" / "flag.json").write_text(json.dumps({"drifted": True, "consecutive_drifted_windows": 2}))
    nb = execute("04_drift.ipynb", "04_drift-present.ipynb", lakehouse_root=str(root), top_features=2)
    out = text(nb)
    assert "3 report windows, 2 columns, 2 flagged (window, column) pairs" in out, out
    assert "flagged columns: b (2 windows)" in out, out
    assert '"consecutive_drifted_windows": 2' in out
    assert images(nb) == 2
