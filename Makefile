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

.PHONY: help deps venv build test demo bench bench-xgboost bench-readers das-samples clean fixtures mlflow-up mlflow-down deps-ops check-deploy image-context image airflow-venv test-airflow test-notebooks

# The MLflow tracking server the registry tests (and local model jobs) use; bin/mlflow-server reads the same port.
MLFLOW_PORT := $(or $(FOSM_MLFLOW_PORT),5055)
MLFLOW_URI  := http://127.0.0.1:$(MLFLOW_PORT)

help:
	@echo "make demo    set up, generate a fiber, bronze -> silver -> gold -> train -> promote -> score, then a live Kafka feed through fosm stream (incidents, dead letters, drift), print a summary"
	@echo "make test    set up and run every test (unit, Spark, MLflow, spark-submit to a standalone cluster)"
	@echo "make bench   benchmarks (see docs/benchmarks.md); make bench-xgboost: Spark vs Python XGBoost training"
	@echo "make bench-scale   bronze/silver/gold/score per core at local[1]/local[2] on 0.1-1 G samples (docs/benchmarks.md)"
	@echo "make bench-bronze-real   bronze end to end on the real interrogator sample files (docs/benchmarks.md)"
	@echo "make bench-stream   streaming benchmark: Kafka live feed -> fosm stream at local[2] (docs/benchmarks.md)"
	@echo "make kafka-up / kafka-down     start / stop the local Kafka broker (KRaft, 127.0.0.1:9092, data in .cache/kafka)"
	@echo "make das-samples    the real interrogator sample files for the reader tests (../shared/das-samples or a checked download into .cache/das-samples)"
	@echo "make bench-readers  interrogator file reader throughput vs h5py / npTDMS / segyio (docs/benchmarks.md)"
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
	@$(MAKE) --no-print-directory das-samples || echo "make test: no DAS sample files; the reader tests will fail and say how to get them"
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

# The real fiber of the demo: one PRODML 2.1 recording, registered by demo/real-fiber.properties (FOSM_CONF_FILE).
DEMO_REAL_FILE := iDAS005_hdf5_example.626.h5
demo: venv build mlflow-up kafka-up
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@export FOSM_LAKEHOUSE_ROOT=$(DEMO_LAKE) SPARK_HOME="$(SPARK_HOME)" MLFLOW_TRACKING_URI=$(MLFLOW_URI) \
	  FOSM_CONF_FILE=$(abspath demo/real-fiber.properties); set -e; \
	  t0=$$(date +%s); \
	  echo "== generate: 64 channels x 120 s at 1 kHz, a few injected faults"; \
	  bin/fosm generate --out $(DEMO_LAKE) --fiber-id demo --channels 64 --duration 120 --seed 7 --fault-rate 0.002; \
	  echo "== generate: a second synthetic fiber of another seed (demo-b), so training sees two fibers' events"; \
	  bin/fosm generate --out $(DEMO_LAKE) --fiber-id demo-b --channels 64 --duration 120 --seed 11 --fault-rate 0.002; \
	  echo "== generate: two small fibers of unseen seeds (demo-h1, demo-h2), held out of training to measure it"; \
	  bin/fosm generate --out $(DEMO_LAKE) --fiber-id demo-h1 --channels 32 --duration 120 --seed 101; \
	  bin/fosm generate --out $(DEMO_LAKE) --fiber-id demo-h2 --channels 32 --duration 120 --seed 202; \
	  echo "== a real interrogator file as a second fiber (idas: PRODML 2.1, $(DEMO_REAL_FILE))"; \
	  real=""; for d in "$$FOSM_DAS_SAMPLES" ../shared/das-samples .cache/das-samples; do \
	    [ -n "$$d" ] && [ -f "$$d/$(DEMO_REAL_FILE)" ] && { real="$$d/$(DEMO_REAL_FILE)"; break; }; done; \
	  if [ -z "$$real" ] && $(MAKE) --no-print-directory das-samples >/dev/null 2>&1 \
	    && [ -f .cache/das-samples/$(DEMO_REAL_FILE) ]; then real=.cache/das-samples/$(DEMO_REAL_FILE); fi; \
	  if [ -n "$$real" ]; then mkdir -p $(DEMO_LAKE)/landing/idas && cp "$$real" $(DEMO_LAKE)/landing/idas/; \
	  else echo "demo: no real interrogator file ($(DEMO_REAL_FILE) not in ../shared/das-samples or .cache/das-samples, and no download): the demo goes on with the synthetic fiber only"; fi; \
	  echo "== bronze"; bin/fosm bronze; \
	  echo "== silver"; bin/fosm silver; \
	  echo "== gold"; bin/fosm gold; \
	  echo "== train (the model zoo; the search is off to keep the demo short; demo-h1 and demo-h2 held out)"; \
	  bin/fosm train --conf train.search=false --conf train.heldout_fibers=demo-h1,demo-h2; \
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

# Scale benchmark: bronze, silver, gold, score per core at local[1] and local[2] on 0.1 / 0.3 / 1 G samples
# (BENCH_SCALE_SECONDS="30" for a quick run; docs/benchmarks.md)
.PHONY: bench-scale
bench-scale: venv build
	BENCH_SCALE_BUILD=0 bench/scale.sh

# Bronze end to end on the real interrogator sample files (docs/benchmarks.md)
.PHONY: bench-bronze-real
bench-bronze-real: venv build das-samples
	bench/bronze_real.sh

# False alarms per km per hour on an hour of event-free fiber, scored by the incidents-demo champion (docs/models.md;
# train it first: TRAIN=1 bench/incidents/pipeline.sh /tmp/inc/train 7 120 --fault-rate 0.002). MLflow must run.
.PHONY: bench-incidents
bench-incidents: venv build
	bench/incidents/false_alarms.sh

# Spark XGBoost (local[2]) vs the Python xgboost package on the same exported gold features (docs/benchmarks.md)
bench-xgboost: venv build
	bench/xgboost/run.sh

# Reader throughput: fosm's interrogator file readers vs h5py / npTDMS / segyio on the real sample files
bench-readers: venv das-samples
	bench/readers/run.sh

# The real interrogator sample files the reader tests use (DASDAE test data, MIT): taken from ../shared/das-samples
# when that folder exists, else downloaded into .cache/das-samples and checked against the sha256 values below.
DAS_SAMPLES_URL := https://github.com/dasdae/test_data/raw/master/das
DAS_SAMPLES := \
  322429f2c44bed5dc72fb9a02f79bb0d3cb71048e93d906d3d24b0605b431b12:ap_sensing_1.hdf5 \
  48ce9c2ab4916d5536faeef0bd789f326ec4afc232729d32014d4d835a9fb74e:decimated_optodas.hdf5 \
  c118960a94e37fbff0eb5c33856d34cdfe81609902c4feaedab9949498d31c23:febus_2.h5 \
  28f4f9b1f2b248fa0419b41c11e971f2d395c3ed43afc1ef5d5c35f399e99190:iDAS005_hdf5_example.626.h5 \
  0c31f75015bc671d958967c7fdf32e2e64fdb467f997d331ae6a7d4c989ab380:iDAS005_tdms_example.626.tdms \
  8f8eded106acab0b4266c5c752cc702363cb09391f5fddf1534429e94e4e9ab2:prodml_2.0.h5 \
  1e7fa0e63bd701ae5f65e5c1adfb02957594b4e334a6933a38cae2481ecdeabb:prodml_fbe_1.h5 \
  31e551aadb361189c1c9325d504c883114ba9a7bb75fe4791e5089fabccef704:small_channel_patch.sgy \
  b8d27d4b690928da84c913fb1c8658e84c9afd7381ea36ed93790d1f23947b18:terra15_v5_test_file.hdf5
das-samples:
	@if [ -d ../shared/das-samples ] && [ -z "$(FOSM_DAS_SAMPLES_FETCH)" ]; then \
	  echo "das-samples: using ../shared/das-samples"; exit 0; fi; \
	mkdir -p .cache/das-samples; \
	for entry in $(DAS_SAMPLES); do \
	  sum=$${entry%%:*}; name=$${entry#*:}; f=.cache/das-samples/$$name; \
	  if [ -f $$f ] && echo "$$sum  $$f" | sha256sum -c --status; then continue; fi; \
	  echo "das-samples: fetching $$name"; \
	  curl -fsSL --retry 3 -o $$f.part $(DAS_SAMPLES_URL)/$$name || { rm -f $$f.part; echo "das-samples: cannot download $$name (no network?)" >&2; exit 1; }; \
	  echo "$$sum  $$f.part" | sha256sum -c --status || { rm -f $$f.part; echo "das-samples: sha256 mismatch for $$name" >&2; exit 1; }; \
	  mv $$f.part $$f; \
	done; echo "das-samples: .cache/das-samples holds all 9 files"

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

# The stream-restart fixture (lib/src/test/resources/fixtures/stream-restart): a checkpoint and the stream's tables
# written by this release, restarted by StreamStateUpgradeTest. Regenerate after a change of a state encoding.
.PHONY: stream-fixture
stream-fixture: mlflow-up
	$(MVN) -o -pl lib test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	cd lib && MLFLOW_TRACKING_URI=$(MLFLOW_URI) java -Xmx2g $$(sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' ../pom.xml) \
	  -Djava.io.tmpdir=$(abspath lib/target) -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) \
	  io.fosm.streaming.StreamStateFixture src/test/resources/fixtures/stream-restart
