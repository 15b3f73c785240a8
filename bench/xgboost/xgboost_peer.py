"""Python side of the XGBoost benchmark: the same exported Parquet, the same model settings, timed.

Reads OUT/train.parquet and OUT/eval.parquet written by XgboostBench (the Spark side), trains the Python xgboost
package (hist, multi:softprob) with fosm's class weights n / (k * n_class), the same rounds, depth, eta and seed, on
the same number of threads as Spark's task slots, and writes OUT/python.json with the fit time and macro-F1.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb


def macro_f1(y_true, y_pred, k):
    f1 = []
    for c in range(k):
        tp = np.sum((y_pred == c) & (y_true == c))
        fp = np.sum((y_pred == c) & (y_true != c))
        fn = np.sum((y_pred != c) & (y_true == c))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(f1)), f1


def main(out, rounds, threads, seed):
    train = pd.read_parquet(f"{out}/train.parquet")
    ev = pd.read_parquet(f"{out}/eval.parquet")
    labels = sorted(train["label"].unique())  # fosm indexes labels alphabetically
    index = {c: i for i, c in enumerate(labels)}
    features = [c for c in train.columns if c != "label"]
    y = train["label"].map(index).to_numpy()
    counts = np.bincount(y, minlength=len(labels))
    weights = (len(y) / (len(labels) * counts))[y]
    model = xgb.XGBClassifier(n_estimators=rounds, max_depth=6, learning_rate=0.3, tree_method="hist",
                              objective="multi:softprob", n_jobs=threads, random_state=seed)
    t0 = time.perf_counter()
    model.fit(train[features], y, sample_weight=weights)
    fit_seconds = time.perf_counter() - t0
    known = ev["label"].isin(index)
    y_eval = ev.loc[known, "label"].map(index).to_numpy()
    pred = model.predict(ev.loc[known, features])
    score, per_class = macro_f1(y_eval, pred, len(labels))
    result = {"train_rows": len(train), "eval_rows": int(known.sum()), "features": len(features),
              "fit_seconds": round(fit_seconds, 3), "macro_f1": round(score, 6),
              "accuracy": round(float(np.mean(pred == y_eval)), 6),
              "per_class_f1": {c: round(f, 6) for c, f in zip(labels, per_class)},
              "xgboost_version": xgb.__version__, "threads": threads}
    with open(f"{out}/python.json", "w") as f:
        json.dump(result, f)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
