# fosm: the two commands are `make demo` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
MVN       := mvn -B -q
MVN_TEST  := mvn -B -ntp
JAR        = $(firstword $(wildcard jobs/target/fosm-jobs-*-all.jar))
DEMO_DIR  ?= demo-out
DEMO_LAKE := $(abspath $(DEMO_DIR))/lakehouse
SPARK_HOME = $(shell $(PY) -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')

.PHONY: help deps venv build test demo bench bench-xgboost clean fixtures mlflow-up mlflow-down deps-ops check-deploy image-context image airflow-venv test-airflow test-notebooks

# The MLflow tracking server the registry tests (and local model jobs) use; bin/mlflow-server reads the same port.
MLFLOW_PORT := $(or $(FOSM_MLFLOW_PORT),5055)
MLFLOW_URI  := http://127.0.0.1:$(MLFLOW_PORT)

help:
	@echo "make demo    set up, generate a fiber, bronze -> silver -> gold -> train -> promote -> score, then a live Kafka feed through fosm stream (incidents, dead letters, drift), print a summary"
	@echo "make test    set up and run every test (unit, Spark, MLflow, spark-submit to a standalone cluster)"
	@echo "make bench   benchmarks (see docs/benchmarks.md); make bench-xgboost: Spark vs Python XGBoost training"
	@echo "make bench-stream   streaming benchmark: Kafka live feed -> fosm stream at local[2] (docs/benchmarks.md)"
	@echo "make kafka-up / kafka-down     start / stop the local Kafka broker (KRaft, 127.0.0.1:9092, data in .cache/kafka)"
	@echo "make build   the shaded jar jobs/target/fosm-jobs-*-all.jar"
	@echo "make mlflow-up / mlflow-down   start / stop the local MLflow server ($(MLFLOW_URI), data in .cache/mlflow)"
	@echo "make check-deploy   validate deploy/ (kustomize overlays, manifest schemas, promtool rules, compose, Dockerfile)"
	@echo "make image   the fosm Spark image (deploy/docker/Dockerfile; needs docker)"
	@echo "make test-airflow    the Airflow DAG tests, 'airflow dags test' end to end (Airflow in its own venv .venv-airflow)"
	@echo "make test-notebooks  run the notebooks headless (papermill) against a small lakehouse"

# Java 17 and Maven come from Debian when missing (CI machines have them; a bare Debian does not).
deps:
	@command -v java >/dev/null && command -v mvn >/dev/null || { apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless maven; }
	@python3 -m venv --help >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3 python3-venv; }

# Prometheus and promtool (Debian package) for the metrics tests and the alert-rule checks. The tests start their own
# server on a free loopback port; the service the package may start (it listens on every interface) is stopped again.
deps-ops:
	@command -v promtool >/dev/null && command -v prometheus >/dev/null || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null && \
	  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then \
	    systemctl disable --now prometheus; \
	  elif [ -x /etc/init.d/prometheus ] && /etc/init.d/prometheus status >/dev/null 2>&1; then \
	    /etc/init.d/prometheus stop; fi; }

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt | deps
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

build: deps
	$(MVN) package -DskipTests

# The MLflow server runs for the whole test run (Maven, then the Python check of the model Maven logged) and is
# stopped by the trap whether the tests pass, fail or are interrupted.
# Order: Maven (unit, Spark, MLflow, Kafka, streaming, standalone-cluster and S3 ITs; builds the shaded jar), the Python
# checks of what Maven produced, the deploy/ validators, then Airflow (real `airflow dags test` through spark-submit)
# and the notebooks (papermill, real kernel), which both use the jar.
test: mlflow-up deps-ops kafka-jars airflow-venv
	@trap 'bin/mlflow-server stop' EXIT; set -e; \
	  export MLFLOW_TRACKING_URI=$(MLFLOW_URI); \
	  $(MVN_TEST) install -Dspark.home="$(SPARK_HOME)"; \
	  $(VENV)/bin/pytest -q lib/src/test/python; \
	  $(VENV)/bin/pytest -q -p no:cacheprovider deploy/tests; \
	  $(MAKE) --no-print-directory test-airflow test-notebooks

# deploy/ checks alone (the config check of the manifests needs the shaded jar: make build first)
check-deploy: venv deps-ops
	$(VENV)/bin/pytest -q -p no:cacheprovider deploy/tests

# The image's build context: the shaded jar, hadoop-aws and its AWS SDK bundle (resolved by Maven), conf/.
IMAGE ?= fosm/fosm-spark:0.1.0
image-context: build
	rm -rf build/image && mkdir -p build/image/jars
	cp $(JAR) build/image/fosm-jobs.jar
	cp -r conf build/image/conf
	$(MVN) dependency:copy -Dartifact=org.apache.hadoop:hadoop-aws:3.3.4 -DoutputDirectory=build/image/jars
	$(MVN) dependency:copy -Dartifact=com.amazonaws:aws-java-sdk-bundle:1.12.262 -DoutputDirectory=build/image/jars

image: image-context
	docker build -f deploy/docker/Dockerfile -t $(IMAGE) build/image

mlflow-up: venv
	bin/mlflow-server start

mlflow-down:
	bin/mlflow-server stop

# The local Kafka broker: Apache Kafka 3.4.1 jars from Maven Central (deploy/kafka/pom.xml), run by bin/kafka.
.PHONY: kafka-jars kafka-up kafka-down bench-stream
KAFKA_LIB := .cache/kafka/lib
kafka-jars: $(KAFKA_LIB)/.installed
$(KAFKA_LIB)/.installed: deploy/kafka/pom.xml | deps
	rm -rf $(KAFKA_LIB)
	$(MVN) -f deploy/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=$(abspath $(KAFKA_LIB))
	touch $@

kafka-up: kafka-jars
	bin/kafka start

kafka-down:
	bin/kafka stop

# Streaming benchmark: live replay into the local Kafka broker at increasing rates, fosm stream at local[2].
bench-stream: venv build kafka-jars
	bench/stream.sh

demo: venv build mlflow-up kafka-up
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@export FOSM_LAKEHOUSE_ROOT=$(DEMO_LAKE) SPARK_HOME="$(SPARK_HOME)" MLFLOW_TRACKING_URI=$(MLFLOW_URI); set -e; \
	  t0=$$(date +%s); \
	  echo "== generate: 64 channels x 120 s at 1 kHz, a few injected faults"; \
	  bin/fosm generate --out $(DEMO_LAKE) --fiber-id demo --channels 64 --duration 120 --seed 7 --fault-rate 0.002; \
	  echo "== bronze"; bin/fosm bronze; \
	  echo "== silver"; bin/fosm silver; \
	  echo "== gold"; bin/fosm gold; \
	  echo "== train (the model zoo; the search is off to keep the demo short)"; \
	  bin/fosm train --conf train.search=false; \
	  echo "== promote"; bin/fosm promote; \
	  echo "== score"; bin/fosm score; \
	  echo "== stream: a live feed of the same fiber replayed into Kafka (1% malformed messages, drift from 100 s on)"; \
	  bin/kafka topic fosm-chunks 2 && bin/kafka topic fosm-alerts 1 && bin/kafka topic fosm-dead-letters 1; \
	  bin/fosm stream --conf stream.source=kafka --conf stream.kafka.alerts_topic=fosm-alerts \
	    --conf stream.kafka.dlq_topic=fosm-dead-letters --conf drift.report_window_seconds=20 --for 240 \
	    > $(DEMO_DIR)/stream.log 2>&1 & stream=$$!; \
	  bin/fosm replay --out $(DEMO_DIR)/replay --fiber-id demo --channels 64 --duration 140 --seed 7 \
	    --fault-rate 0.01 --drift all --drift-onset 100 2>&1 | grep -v ' WARN '; \
	  wait $$stream || { tail -30 $(DEMO_DIR)/stream.log; exit 1; }; \
	  grep -E '^stream: (drift|stopped|Prometheus)' $(DEMO_DIR)/stream.log || true; \
	  echo "== scorecard: the stream's incidents against the replay's ground-truth events (docs/incidents.md)"; \
	  bin/fosm evaluate --events $(DEMO_DIR)/replay/events/demo_replay_events.jsonl \
	    --json $(DEMO_DIR)/scorecard.json; \
	  echo "== summary"; bin/fosm summary; \
	  echo "demo done in $$(( $$(date +%s) - t0 )) s; lakehouse at $(DEMO_LAKE)"; \
	  echo "MLflow UI: $(MLFLOW_URI); Kafka at 127.0.0.1:9092 (both still running: make mlflow-down kafka-down)"

bench: venv build
	bench/run.sh

# Spark XGBoost (local[2]) vs the Python xgboost package on the same exported gold features (docs/benchmarks.md)
bench-xgboost: venv build
	bench/xgboost/run.sh

# Regenerates the numpy/scipy DSP and drift fixtures (committed; tests read them).
fixtures: venv
	$(PY) lib/src/test/python/make_dsp_fixtures.py
	$(PY) lib/src/test/python/make_drift_fixtures.py

clean:
	$(MVN) clean
	rm -rf $(DEMO_DIR) bench/out build/airflow-test build/notebooks-test

# ---- Airflow (airflow-dags/, docs/airflow.md) and notebooks (notebooks/, docs/notebooks.md) ------------------------
# Airflow gets its own virtualenv: its pins clash with mlflow's. The pins are for one Python minor version.
AIRFLOW_VENV        := .venv-airflow
AIRFLOW_PYTHON      := 3.11
AIRFLOW_CONSTRAINTS ?= airflow-dags/constraints-$(AIRFLOW_PYTHON).txt

airflow-venv: $(AIRFLOW_VENV)/.installed
$(AIRFLOW_VENV)/.installed: airflow-dags/requirements.txt airflow-dags/constraints-$(AIRFLOW_PYTHON).txt | deps
	@v=$$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])'); [[ "$$v" == "$(AIRFLOW_PYTHON)" ]] || { \
	  echo "Cannot install Airflow: python3 is $$v, airflow-dags/constraints-$(AIRFLOW_PYTHON).txt pins Python $(AIRFLOW_PYTHON)" >&2; exit 2; }
	python3 -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/pip install -q --disable-pip-version-check -r airflow-dags/requirements.txt -c $(AIRFLOW_CONSTRAINTS)
	touch $@

# Both need the shaded jar (built here when missing; `make test` has built it by then) and the MLflow server
# (MLFLOW_TRACKING_URI, as `make test` exports it; else started here and left running, as by `make demo`). Their scratch folders (Airflow home + SQLite DB, lakehouses, executed
# notebooks, logs) are under build/.
test-airflow: venv airflow-venv $(if $(JAR),,build) $(if $(MLFLOW_TRACKING_URI),,mlflow-up)
	@set -e; export MLFLOW_TRACKING_URI=$${MLFLOW_TRACKING_URI:-$(MLFLOW_URI)}; \
	  AIRFLOW_TEST_BUILD_DIR=$(abspath build/airflow-test) $(AIRFLOW_VENV)/bin/pytest -q -p no:cacheprovider airflow-dags/tests

test-notebooks: venv $(if $(JAR),,build) $(if $(MLFLOW_TRACKING_URI),,mlflow-up)
	@set -e; export MLFLOW_TRACKING_URI=$${MLFLOW_TRACKING_URI:-$(MLFLOW_URI)}; \
	  NOTEBOOK_TEST_BUILD_DIR=$(abspath build/notebooks-test) $(VENV)/bin/pytest -q -p no:cacheprovider notebooks/tests
