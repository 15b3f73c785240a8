"""fosm's python_function flavour: scores gold feature rows with a classifier logged by `fosm train`.

MLflow puts this file (the model's code/ folder) on sys.path and calls _load_pyfunc(<model>/fosm_model.json), so

    model = mlflow.pyfunc.load_model("models:/fosm-event-classifier@champion")
    model.predict(gold_rows)          # a pandas DataFrame with the gold feature columns

returns one row per input row: predicted_label, event_score (1 - P(background)) and probability_<class> for every
class, in the model's class order. `mlflow models serve` answers the same columns.

fosm_model.json replays the pipeline fosm trained (io.fosm.models.FeatureSpace): the gold columns in the order the
VectorAssembler takes them, log10(x + offset) of the columns its SQLTransformer transforms, then the StandardScaler's
(x - mean) * (1 / std) where the model has one (a zero std scales to 0, as Spark does). XGBoost models are scored with
the booster logged beside this file (model.ubj, MLflow's xgboost flavour) on float32 features with NaN as missing, as
xgboost4j-spark does; no Spark is needed. MLlib models are scored by PySpark with the logged sparkml/ pipeline itself.
"""
import json
import os

import numpy as np
import pandas as pd


def _load_pyfunc(data_path):
    with open(data_path, encoding="utf-8") as f:
        spec = json.load(f)
    if spec.get("format_version") != 1:
        raise ValueError(f"Cannot load {data_path}: format_version {spec.get('format_version')}, expected 1")
    return FosmClassifier(spec, os.path.dirname(os.path.abspath(data_path)))


class FosmClassifier:
    """A fosm classifier: gold feature columns in, class probabilities and the predicted class name out."""

    def __init__(self, spec, model_dir):
        self.spec = spec
        self.classes = list(spec["classes"])
        self.columns = [i["column"] for i in spec["inputs"]]
        self._model_dir = model_dir
        self._booster = None
        self._pipeline = None
        if spec["backend"] == "xgboost":
            import xgboost

            self._booster = xgboost.Booster()
            self._booster.load_model(os.path.join(model_dir, spec["xgboost_model"]))
        elif spec["backend"] != "spark":
            raise ValueError(f"Cannot load a fosm model with backend {spec['backend']!r}: expected xgboost or spark")

    def features(self, frame):
        """The model's input matrix (rows x inputs, float64) from gold columns, as the Spark pipeline computes it."""
        frame = _as_frame(frame)
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise ValueError(f"Cannot score: the input has no gold column(s) {missing}; expected {self.columns}")
        out = np.empty((len(frame), len(self.columns)), dtype=np.float64)
        for j, spec in enumerate(self.spec["inputs"]):
            values = pd.to_numeric(frame[spec["column"]], errors="raise").to_numpy(dtype=np.float64)
            offset = spec["log10_offset"]
            out[:, j] = values if offset is None else np.log10(values + offset)
        scaler = self.spec.get("scaler")
        if scaler:
            if scaler["with_mean"]:
                out = out - np.asarray(scaler["mean"], dtype=np.float64)
            if scaler["with_std"]:
                std = np.asarray(scaler["std"], dtype=np.float64)
                out = out * np.where(std != 0.0, 1.0 / np.where(std != 0.0, std, 1.0), 0.0)
        return out

    def probabilities(self, frame):
        """Class probabilities (rows x classes) and the predicted class index of each row."""
        frame = _as_frame(frame)
        if self._booster is not None:
            import xgboost

            x = self.features(frame).astype(np.float32)
            probs = np.asarray(self._booster.predict(xgboost.DMatrix(x, missing=np.nan)), dtype=np.float64)
            probs = probs.reshape(len(frame), len(self.classes))
            return probs, probs.argmax(axis=1)
        return self._spark_probabilities(frame)

    def predict(self, model_input, params=None):
        frame = _as_frame(model_input)
        probs, index = self.probabilities(frame)
        out = pd.DataFrame({"predicted_label": [self.classes[i] for i in index]}, index=frame.index)
        background = self.spec["background_class"]
        out["event_score"] = (1.0 - probs[:, self.classes.index(background)]) if background in self.classes else 1.0
        for j, label in enumerate(self.classes):
            out[f"probability_{label}"] = probs[:, j]
        return out

    def _spark_probabilities(self, frame):
        from pyspark.ml import PipelineModel
        from pyspark.ml.functions import vector_to_array
        from pyspark.sql import SparkSession

        spark = SparkSession.getActiveSession() or (
            SparkSession.builder.master("local[1]").appName("fosm-pyfunc").config("spark.ui.enabled", "false")
            .getOrCreate())
        if self._pipeline is None:
            self._pipeline = PipelineModel.load(os.path.join(self._model_dir, self.spec["spark_model"]))
        rows = pd.DataFrame({c: pd.to_numeric(frame[c], errors="raise").astype(np.float64) for c in self.columns})
        rows["__fosm_row"] = np.arange(len(rows), dtype=np.int64)
        scored = self._pipeline.transform(spark.createDataFrame(rows))
        has_probability = "probability" in scored.columns
        vector = "probability" if has_probability else "rawPrediction"
        result = (scored.select("__fosm_row", "prediction", vector_to_array(vector, "float64").alias("v"))
                  .orderBy("__fosm_row").toPandas())
        values = np.array(result["v"].tolist(), dtype=np.float64).reshape(len(rows), len(self.classes))
        if not has_probability:
            # one-vs-rest has raw scores only: a softmax of them, as io.fosm.models.Scoring does
            e = np.exp(values - values.max(axis=1, keepdims=True))
            values = e / e.sum(axis=1, keepdims=True)
        return values, result["prediction"].to_numpy().astype(np.int64)


def _as_frame(data):
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, dict):
        return pd.DataFrame(data)
    raise TypeError(f"Cannot score a {type(data).__name__}: pass a pandas DataFrame of gold feature columns")
