#!/usr/bin/env bash
# Before (the previous per-class k-consecutive tracker, src/old) and after (io.fosm.incidents) on the gold_predictions
# of each lakehouse given, through the same event-level evaluation. COMBOS="k=3,n=4,m=4,g=2,gate=3,t=0.8;..." tries
# settings; FULL=1 prints each scorecard. Needs the shaded jar (make build).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
jar=$(ls "$root"/jobs/target/fosm-jobs-*-all.jar | head -1)
spark_home="$("$root/.venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
javac -nowarn -d "$out/classes" -cp "$jar:$spark_home/jars/*" $(find "$here/src" -name '*.java') 2>&1 | grep -v warning || true
jar cf "$out/sweep.jar" -C "$out/classes" .
cd "$root"
"$spark_home/bin/spark-submit" --master 'local[2]' --driver-memory 3g --class sweep.Sweep --jars "$jar" \
  --conf spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=file:"$root"/conf/log4j2.properties \
  "$out/sweep.jar" "$@" 2>&1 | grep -vE 'WARN|^\s*at '
