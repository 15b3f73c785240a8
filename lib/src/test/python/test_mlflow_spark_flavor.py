"""A model logged from Java (RunHandle.logSparkModel) loads in Python with mlflow.spark and predicts the same.

ModelRegistryTest writes lib/target/registry-it/logged_model.json after logging and registering a model on the
MLflow server `make test` starts; this check runs after Maven, while that server is still up.
"""
import json
import os
from pathlib import Path

import pytest

HANDOFF = Path(__file__).resolve().parents[3] / "target" / "registry-it" / "logged_model.json"


@pytest.fixture(scope="module")
def handoff():
    if not HANDOFF.is_file():
        pytest.fail(f"{HANDOFF} is missing: it is written by the Java ModelRegistryTest; run `make test`"
                    " (Maven first, then pytest, with the MLflow server up)")
    return json.loads(HANDOFF.read_text())


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("mlflow-flavor-check")
               .config("spark.ui.enabled", "false").getOrCreate())
    yield session
    session.stop()


def test_java_logged_model_loads_with_mlflow_spark_and_predicts_the_same(handoff, spark):
    import mlflow
    import mlflow.spark

    env_uri = os.environ.get("MLFLOW_TRACKING_URI")
    if env_uri:
        assert env_uri == handoff["tracking_uri"], "the handoff file is from another server than the one under test"
    mlflow.set_tracking_uri(handoff["tracking_uri"])

    model = mlflow.spark.load_model(handoff["model_uri"])
    rows = [(r["a"], r["b"]) for r in handoff["rows"]]
    df = spark.createDataFrame(rows, ["a", "b"])
    out = model.transform(df).orderBy("a", "b").select("prediction", "probability").collect()

    assert [r.prediction for r in out] == handoff["predictions"]
    assert [r.probability[1] for r in out] == pytest.approx(handoff["probability_1"], abs=1e-12)


def test_java_logged_model_serves_through_the_pyfunc_flavor(handoff, spark):
    import mlflow
    import mlflow.pyfunc
    import pandas as pd

    mlflow.set_tracking_uri(handoff["tracking_uri"])
    # mlflow.models.get_model_info cannot resolve models:/<name>@<alias> in 2.17.2; the pyfunc loader can
    model = mlflow.pyfunc.load_model(handoff["model_uri"])
    flavors = model.metadata.flavors
    assert set(flavors) == {"spark", "python_function"}
    assert flavors["spark"]["model_class"] == "pyspark.ml.pipeline.PipelineModel"
    assert flavors["python_function"]["loader_module"] == "mlflow.spark"
    assert model.metadata.run_id, "MLmodel records the run that logged it"

    frame = pd.DataFrame(handoff["rows"]).sort_values(["a", "b"], kind="stable")
    predictions = list(model.predict(frame))
    assert [float(p) for p in predictions] == handoff["predictions"]
