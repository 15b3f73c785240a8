#!/usr/bin/env python3
"""Window macro-F1 of a scored fiber (gold_predictions of `fosm score`), on every labelled window and without the
label_ambiguous ones, as training reports it (macro over the classes present in the labels).

usage: .venv/bin/python bench/incidents/window_f1.py LAKE...   (reads LAKE/gold/predictions; a fresh table, written
once by bench/incidents/pipeline.sh, so its parquet files are its current version)
"""
import glob
import os
import sys

import pandas as pd
import pyarrow.parquet as pq
from sklearn.metrics import f1_score

for lake in sys.argv[1:]:
    def table(name, columns):
        files = glob.glob(os.path.join(lake, "gold", name, "**", "*.parquet"), recursive=True)
        return pd.concat([pq.read_table(f, columns=columns).to_pandas() for f in files])

    # one fiber per lake: (channel, window_start) is the key; label_ambiguous lives in gold_features
    df = table("predictions", ["channel", "window_start", "label", "predicted_label"]).merge(
        table("features", ["channel", "window_start", "label_ambiguous"]), on=["channel", "window_start"])
    df = df[df["label"].notna()]
    classes = sorted(df["label"].unique())
    every = f1_score(df["label"], df["predicted_label"], labels=classes, average="macro")
    clear = df[~df["label_ambiguous"].fillna(False).astype(bool)]
    collar = f1_score(clear["label"], clear["predicted_label"], labels=classes, average="macro")
    per = f1_score(df["label"], df["predicted_label"], labels=classes, average=None)
    print(f"{lake}: windows {len(df)}, macro-F1 every window {every:.4f}, without label_ambiguous {collar:.4f}; "
          + ", ".join(f"{c} {v:.2f}" for c, v in zip(classes, per)))
