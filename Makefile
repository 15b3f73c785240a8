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

.PHONY: help deps venv build test demo bench clean fixtures mlflow-up mlflow-down

# The MLflow tracking server the registry tests (and local model jobs) use; bin/mlflow-server reads the same port.
MLFLOW_PORT := $(or $(FOSM_MLFLOW_PORT),5055)
MLFLOW_URI  := http://127.0.0.1:$(MLFLOW_PORT)

help:
	@echo "make demo    set up, generate a fiber, run bronze -> silver -> gold -> train -> promote -> score via spark-submit, print a summary"
	@echo "make test    set up and run every test (unit, Spark, MLflow, spark-submit to a standalone cluster)"
	@echo "make bench   benchmarks (see docs/benchmarks.md)"
	@echo "make build   the shaded jar jobs/target/fosm-jobs-*-all.jar"
	@echo "make mlflow-up / mlflow-down   start / stop the local MLflow server ($(MLFLOW_URI), data in .cache/mlflow)"

# Java 17 and Maven come from Debian when missing (CI machines have them; a bare Debian does not).
deps:
	@command -v java >/dev/null && command -v mvn >/dev/null || { apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless maven; }
	@python3 -m venv --help >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3 python3-venv; }

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt | deps
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

build: deps
	$(MVN) package -DskipTests

# The MLflow server runs for the whole test run (Maven, then the Python check of the model Maven logged) and is
# stopped by the trap whether the tests pass, fail or are interrupted.
test: mlflow-up
	@trap 'bin/mlflow-server stop' EXIT; set -e; \
	  export MLFLOW_TRACKING_URI=$(MLFLOW_URI); \
	  $(MVN_TEST) install -Dspark.home="$(SPARK_HOME)"; \
	  $(VENV)/bin/pytest -q lib/src/test/python

mlflow-up: venv
	bin/mlflow-server start

mlflow-down:
	bin/mlflow-server stop

demo: venv build mlflow-up
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
	  echo "== summary"; bin/fosm summary; \
	  echo "demo done in $$(( $$(date +%s) - t0 )) s; lakehouse at $(DEMO_LAKE)"; \
	  echo "MLflow UI: $(MLFLOW_URI) (still running; stop it with 'make mlflow-down')"

bench: venv build
	bench/run.sh

# Regenerates the numpy/scipy DSP and drift fixtures (committed; tests read them).
fixtures: venv
	$(PY) lib/src/test/python/make_dsp_fixtures.py
	$(PY) lib/src/test/python/make_drift_fixtures.py

clean:
	$(MVN) clean
	rm -rf $(DEMO_DIR) bench/out
