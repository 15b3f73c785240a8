"""The models `fosm train` logs load and score in Python exactly as the Java jobs score them.

TrainingRunsTest (Maven, against the MLflow server `make test` starts) trains logistic regression and XGBoost on the
labelled test lakehouse, checks that XGBoost wins, promotes it to champion and writes lib/target/registry-it/
trained_models.json: the model URIs, a few gold rows of every class and the Java scores of those rows (probabilities,
predicted class, event score). This check runs after Maven, while that server is still up.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HANDOFF = Path(__file__).resolve().parents[3] / "target" / "registry-it" / "trained_models.json"


@pytest.fixture(scope="module")
def handoff():
    if not HANDOFF.is_file():
        pytest.fail(f"{HANDOFF} is missing: it is written by the Java TrainingRunsTest; run `make test`"
                    " (Maven first, then pytest, with the MLflow server up)")
    data = json.loads(HANDOFF.read_text())
    env_uri = os.environ.get("MLFLOW_TRACKING_URI")
    if env_uri:
        assert env_uri == data["tracking_uri"], "the handoff file is from another server than the one under test"
    import mlflow

    mlflow.set_tracking_uri(data["tracking_uri"])
    return data


def gold_rows(handoff):
    return pd.DataFrame(handoff["rows"], columns=handoff["columns"])


def assert_same_scores(frame, java, classes):
    assert list(frame.columns) == ["predicted_label", "event_score"] + [f"probability_{c}" for c in classes]
    probabilities = frame[[f"probability_{c}" for c in classes]].to_numpy()
    np.testing.assert_allclose(probabilities, np.array(java["probabilities"]), rtol=0, atol=1e-5)
    np.testing.assert_allclose(frame["event_score"].to_numpy(), java["event_score"], rtol=0, atol=1e-5)
    assert list(frame["predicted_label"]) == java["predicted_label"]


def test_the_xgboost_champion_scores_gold_rows_through_pyfunc_as_java_does(handoff):
    import mlflow.pyfunc

    model = mlflow.pyfunc.load_model(handoff["champion_uri"])
    flavors = model.metadata.flavors
    assert set(flavors) == {"python_function", "xgboost"}, "no spark flavour: PySpark cannot load xgboost4j stages"
    assert flavors["python_function"]["loader_module"] == "fosm_pyfunc"
    assert model.metadata.run_id == handoff["champion_run_id"]
    assert [c.name for c in model.metadata.get_input_schema().inputs] == handoff["columns"]
    frame = model.predict(gold_rows(handoff))
    assert_same_scores(frame, handoff["champion_scores"], handoff["classes"])
    assert set(frame["predicted_label"]) > {"background"}, "the rows of every class are not all background"


def test_the_xgboost_flavour_is_the_booster_python_xgboost_loads(handoff):
    import mlflow.xgboost
    import xgboost

    booster = mlflow.xgboost.load_model(handoff["champion_uri"])
    assert isinstance(booster, xgboost.Booster)
    assert booster.num_features() == len(handoff["columns"])
    # the model's inputs rebuilt here, independently of fosm_pyfunc: log10(x + 1e-12) of the power-like columns
    rows = gold_rows(handoff)
    logged = {"rms", "peak_to_peak", "std", "total_power"}
    x = np.column_stack([np.log10(rows[c].to_numpy() + 1e-12) if c in logged or c.startswith("band_power_")
                         else rows[c].to_numpy() for c in handoff["columns"]]).astype(np.float32)
    probabilities = booster.predict(xgboost.DMatrix(x))
    np.testing.assert_allclose(probabilities, np.array(handoff["champion_scores"]["probabilities"]), atol=1e-5)


def test_an_mllib_model_scores_through_pyfunc_with_its_scaler_as_java_does(handoff):
    import mlflow.pyfunc
    import mlflow.spark

    model = mlflow.pyfunc.load_model(handoff["lr_model_uri"])
    assert set(model.metadata.flavors) == {"python_function", "spark"}
    frame = model.predict(gold_rows(handoff))
    assert_same_scores(frame, handoff["lr_scores"], handoff["classes"])
    # the spark flavour of an MLlib model still loads as a PySpark PipelineModel
    pipeline = mlflow.spark.load_model(handoff["lr_model_uri"])
    assert type(pipeline.stages[-1]).__name__ == "LogisticRegressionModel"
    assert type(pipeline.stages[2]).__name__ == "StandardScalerModel"


def test_a_missing_gold_column_is_named(handoff):
    import mlflow.pyfunc

    model = mlflow.pyfunc.load_model(handoff["champion_uri"])
    rows = gold_rows(handoff).drop(columns=["kurtosis"])
    with pytest.raises(Exception, match="kurtosis"):
        model.predict(rows)


def test_the_training_run_names_gold_features_and_its_delta_version_as_input(handoff):
    import mlflow
    import mlflow.data
    from mlflow.data.delta_dataset_source import DeltaDatasetSource

    run = mlflow.get_run(handoff["champion_run_id"])
    assert run.info.status == "FINISHED"
    inputs = run.inputs.dataset_inputs
    assert len(inputs) == 1
    dataset = inputs[0].dataset
    assert dataset.name == "gold_features"
    source = mlflow.data.get_source(dataset)
    assert isinstance(source, DeltaDatasetSource)
    assert source.path == handoff["gold_path"]
    assert source.delta_table_version == handoff["gold_version"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mlflow_models_serve_answers_the_champion_scores_over_http(handoff, tmp_path):
    port = free_port()
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    # the server execs gunicorn from the venv's bin folder
    env = dict(os.environ, MLFLOW_TRACKING_URI=handoff["tracking_uri"],
               PATH=str(mlflow_cli.parent) + os.pathsep + os.environ.get("PATH", ""))
    log = open(tmp_path / "serve.log", "w")
    server = subprocess.Popen([str(mlflow_cli), "models", "serve", "-m", handoff["champion_uri"], "--env-manager",
                               "local", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                              stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.time() > deadline:
                pytest.fail("mlflow models serve did not come up:\n" + (tmp_path / "serve.log").read_text()[-3000:])
            time.sleep(0.5)
        rows = gold_rows(handoff).head(3)
        body = json.dumps({"dataframe_split": {"columns": list(rows.columns), "data": rows.to_numpy().tolist()}})
        request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            predictions = json.loads(r.read())["predictions"]
        java = handoff["champion_scores"]
        assert [p["predicted_label"] for p in predictions] == java["predicted_label"][:3]
        for p, expected in zip(predictions, java["probabilities"][:3]):
            assert [p[f"probability_{c}"] for c in handoff["classes"]] == pytest.approx(expected, abs=1e-5)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        log.close()
