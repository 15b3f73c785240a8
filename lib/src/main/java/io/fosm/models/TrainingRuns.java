package io.fosm.models;

import io.fosm.config.FosmConfig;
import io.fosm.drift.ReferenceProfile;
import io.fosm.evaluation.EventScores;
import io.fosm.reliability.FaultPoints;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.RunHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fosm train} with MLflow: trains the zoo ({@link Training}) with one MLflow run per model, registers the best
 * by macro-F1 on clearly labelled evaluation windows (the figure the promotion gate compares; docs/models.md) as a new
 * version of {@code mlflow.model_name} and gives it the {@code challenger} alias.
 *
 * <p>The run lifecycle is the one users read in the MLflow UI: a model's run is opened when its training starts
 * (provenance tags, the plan's params and gold_features as the run's dataset input are logged then), so its start and
 * end times are the model's and a crash leaves a trace; after training it gets the fitted params, metrics, plots,
 * reports, the model card and the model ({@link ModelFlavors}: loadable by fosm's jobs and by Python), and is ended
 * FINISHED. A step that throws ends its run FAILED with the error ({@link RunHandle#fail}) and the exception goes on.
 * The two anomaly detectors train in one step, so both their runs span it.
 */
public final class TrainingRuns {
    /** The artifact path of every logged model. */
    public static final String MODEL_PATH = "model";
    /** The dataset name of gold_features as the runs' input. */
    public static final String DATASET = "gold_features";

    private TrainingRuns() {}

    /**
     * The outcome: the training, each model's and detector's run id (by model name), the best model and the
     * version registered (empty when the Deequ gate refused the training set: then nothing was logged).
     */
    public record Outcome(Training.Result training, Map<String, String> runIds, Optional<Trainer.TrainedModel> best,
                          Optional<ModelVersion> version, String experimentId) {}

    /**
     * Trains, logs and registers; {@code env} supplies provenance ({@code FOSM_GIT_COMMIT}). When the MLflow server
     * stops answering after the start-up check, fails with one line naming it: the runs logged so far stay unfinished,
     * nothing is registered unless the registration itself had completed, and a rerun registers one version.
     */
    public static Outcome train(SparkSession spark, FosmConfig config, TrainingOptions options, MlflowTracking mlflow,
                                Map<String, String> env) {
        try {
            return trainAndRegister(spark, config, options, mlflow, env);
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                // the client's wrapper of a network failure (an HTTP error answer is an MlflowHttpException instead)
                if (t instanceof org.mlflow.tracking.MlflowClientException && t.getCause() instanceof java.io.IOException) {
                    throw new io.fosm.registry.RegistryException("Cannot train: the MLflow tracking server at "
                            + mlflow.trackingUri() + " stopped answering during the training; rerun when it is back", e);
                }
            }
            throw e;
        }
    }

    private static Outcome trainAndRegister(SparkSession spark, FosmConfig config, TrainingOptions options,
                                            MlflowTracking mlflow, Map<String, String> env) {
        String experiment = mlflow.experimentId(config.mlflow().experiment());
        Runs runs = new Runs(spark, config, options, mlflow, experiment, env);
        Training.Result result;
        try {
            result = Training.run(spark, config, options, config.train().classes(), runs);
        } catch (RuntimeException | Error e) {
            // a step failure has ended its run already; this catches what escaped one (an Error, say)
            runs.failOpen(e);
            throw e;
        } finally {
            runs.deleteWork();
        }
        if (!result.report().passed()) {
            return new Outcome(result, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runs.runIds)), Optional.empty(), Optional.empty(), experiment);
        }
        Trainer.TrainedModel best = result.models().stream()
                .max(Comparator.comparingDouble(m -> m.metrics().macroF1()))
                .orElseThrow(() -> new IllegalStateException("Cannot register: train.models is empty"));
        String bestRun = runs.runIds.get(best.kind().modelName());
        // what drift detection compares serving data with, stored with the registered model (docs/drift.md)
        ReferenceProfile reference = ReferenceProfile.forTraining(spark, config, result.split(), result.features(),
                best.model(), best.labels(), result.goldVersion());
        // the run has ended: MLflow still takes artifacts of a finished run
        mlflow.endedRun(bestRun).logText(reference.forRun(bestRun).toJson(), ReferenceProfile.ARTIFACT);
        // the anomaly detectors scoring applies, inside the registered model's folder: loaded with it
        runs.logAnomalyModel(bestRun);
        Map<String, String> versionTags = new LinkedHashMap<>();
        versionTags.put("model_kind", best.kind().modelName());
        versionTags.put(Promotion.CLASSES_TAG, String.join(",", best.labels()));
        versionTags.put(Promotion.EVAL_START_TAG, result.split().evalStart().toString());
        versionTags.put(Promotion.EVAL_END_TAG, result.split().dataEnd().toString());
        versionTags.put("macro_f1", String.format(Locale.ROOT, "%.4f", best.metrics().macroF1()));
        versionTags.put("window_macro_f1_every_window", String.format(Locale.ROOT, "%.4f",
                result.everyWindow(best).macroF1()));
        if (!config.train().heldoutFibers().isEmpty()) {
            versionTags.put(Promotion.HELDOUT_FIBERS_TAG, String.join(",", config.train().heldoutFibers()));
        }
        versionTags.put(Promotion.EVAL_COLLAR_TAG, String.valueOf(options.evalCollar()));
        versionTags.put("gold_delta_version", String.valueOf(result.goldVersion()));
        String key = trainingKey(runs.tags, options, best);
        versionTags.put(TRAINING_KEY_TAG, key);
        FaultPoints.reached("train.after_log_runs");
        // a rerun after a crash between registering and moving the alias reuses that version instead of adding one
        ModelVersion latest = mlflow.registry().versions(config.mlflow().modelName()).stream()
                .reduce((a, b) -> b).orElse(null);
        // ... unless that version is the champion: then this is a deliberate retraining (e.g. the drift DAG on the
        // same gold), which gets a version of its own
        String champion = mlflow.registry().byAlias(config.mlflow().modelName(), Promotion.CHAMPION)
                .map(ModelVersion::version).orElse(null);
        boolean interrupted = latest != null && key.equals(latest.tags().get(TRAINING_KEY_TAG))
                && !latest.version().equals(champion);
        ModelVersion version = interrupted ? latest
                : mlflow.registry().register(config.mlflow().modelName(), bestRun, MODEL_PATH, versionTags);
        FaultPoints.reached("train.after_register");
        mlflow.registry().setAlias(config.mlflow().modelName(), Promotion.CHALLENGER, version.version());
        reference.forModel(config.mlflow().modelName(), version.version(), version.runId()).save(spark, config);
        return new Outcome(result, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(runs.runIds)), Optional.of(best), Optional.of(version), experiment);
    }

    /** Version tag: what was trained on and how (gold version, lakehouse, split, options, model kind), hashed. */
    static final String TRAINING_KEY_TAG = "training_key";

    private static String trainingKey(Map<String, String> provenance, TrainingOptions options,
                                      Trainer.TrainedModel best) {
        String text = provenance.get("gold_delta_version") + "|" + provenance.get("lakehouse") + "|"
                + provenance.get("split") + "|" + options + "|" + best.kind().modelName()
                + (provenance.containsKey("heldout_fibers") ? "|heldout " + provenance.get("heldout_fibers") : "");
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The provenance tags of every run of a training. */
    static Map<String, String> provenance(SparkSession spark, FosmConfig config, Training.Context context,
                                          Map<String, String> env) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("git_commit", env.getOrDefault("FOSM_GIT_COMMIT", "unknown"));
        tags.put("gold_delta_version", String.valueOf(context.goldVersion()));
        tags.put("spark_version", spark.version());
        tags.put("lakehouse", config.lakehouseRoot());
        tags.put("data_range", context.split().dataStart() + " .. " + context.split().dataEnd());
        tags.put("split", context.split().describe());
        if (!context.heldOutRows().isEmpty()) {
            // part of what was trained on (and so of the training key): these fibers were not
            tags.put("heldout_fibers", String.join(",", context.heldOutRows().keySet()));
        }
        return tags;
    }

    /** The observer that keeps one run per training step. */
    private static final class Runs implements Training.Observer {
        private final SparkSession spark;
        private final FosmConfig config;
        private final TrainingOptions options;
        private final MlflowTracking mlflow;
        private final String experiment;
        private final Map<String, String> env;
        private final Map<String, String> runIds = new LinkedHashMap<>();
        private final Map<String, RunHandle> open = new LinkedHashMap<>();
        private Training.Context context;
        private Map<String, String> tags;
        private Path work;
        private AnomalyModel anomalyModel;

        Runs(SparkSession spark, FosmConfig config, TrainingOptions options, MlflowTracking mlflow, String experiment,
             Map<String, String> env) {
            this.spark = spark;
            this.config = config;
            this.options = options;
            this.mlflow = mlflow;
            this.experiment = experiment;
            this.env = env;
        }

        @Override
        public void starting(String step, Training.Context context) {
            this.context = context;
            this.tags = provenance(spark, config, context, env);
            List<String> names = step.equals(AnomalyDetectors.STEP) ? AnomalyDetectors.NAMES : List.of(step);
            for (String name : names) {
                RunHandle run = mlflow.startRun(experiment, name, tags);
                open.put(name, run);
                runIds.put(name, run.runId());
                try {
                    run.logDeltaInput(DATASET, context.goldPath(), context.goldVersion(), context.labelledRows(),
                            "training");
                    if (!step.equals(AnomalyDetectors.STEP)) {
                        run.logParams(planned(name));
                    }
                } catch (RuntimeException e) {
                    failed(step, e);
                    throw e;
                }
            }
        }

        /** The params known before the model trains (the fitted ones follow in {@link #trained}). */
        private Map<String, String> planned(String model) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("model", model);
            params.put("train_fraction", String.valueOf(options.trainFraction()));
            params.put("features", String.valueOf(context.features().size()));
            params.put("classes", String.join(",", context.labels()));
            return params;
        }

        @Override
        public void trained(Trainer.TrainedModel m, Training.Evaluation evaluation) {
            ClassificationMetrics all = evaluation.allWindows();
            EventScores events = evaluation.events();
            String name = m.kind().modelName();
            RunHandle run = open.get(name);
            try {
                Map<String, String> fitted = new LinkedHashMap<>(m.params());
                planned(name).keySet().forEach(fitted::remove);
                run.logParams(fitted);
                Map<String, Double> metrics = new LinkedHashMap<>(m.metrics().asMetrics());
                metrics.put("train_seconds", m.trainSeconds());
                if (all != null) {
                    all.asMetrics().forEach((k, val) -> metrics.put("all_windows_" + k, val));
                }
                // the headline (every labelled window of the evaluation range) and the collar-filtered figure, named
                // for what they are; macro_f1 and all_windows_macro_f1 stay for the gate and older dashboards
                metrics.put("window_macro_f1_every_window", (all == null ? m.metrics() : all).macroF1());
                if (all != null) {
                    metrics.put("window_macro_f1_clear_windows", m.metrics().macroF1());
                }
                if (evaluation.heldOut() != null) {
                    metrics.putAll(evaluation.heldOut().metrics());
                }
                metrics.put("ambiguous_windows_left_out", (double) context.ambiguousLeftOut());
                context.trainClassCounts().forEach((c, n) -> metrics.put("train_windows_" + c, (double) n));
                if (events != null) {
                    // a figure with nothing to measure (NaN) is left out rather than logged as NaN
                    events.metrics().forEach((k, val) -> {
                        if (!val.isNaN()) {
                            metrics.put(k, val);
                        }
                    });
                }
                run.logMetrics(metrics);
                if (events != null) {
                    run.logText(events.toJson(), "evaluation/event_level.json");
                }
                if (evaluation.heldOut() != null) {
                    run.logText(evaluation.heldOut().markdown() + "\n", "evaluation/heldout_fibers.md");
                }
                double[] loss = XgboostModels.trainLossPerRound(m.model().stages()[m.model().stages().length - 1]);
                if (loss.length > 0) {
                    run.logMetricHistory("train_mlogloss", loss);
                }
                Path dir = work();
                Path confusion = dir.resolve(name + "_confusion_matrix.png");
                Plots.confusionMatrix(m.metrics(), name + ": evaluation range", confusion);
                run.logArtifact(confusion, "plots");
                if (!m.importance().isEmpty()) {
                    Path importance = dir.resolve(name + "_feature_importance.png");
                    Plots.featureImportance(m.importance(), name + ": feature importance", importance);
                    run.logArtifact(importance, "plots");
                }
                run.logText(context.report().render(), "quality/deequ_training_set.txt");
                run.logText(m.metrics().confusionText(), "evaluation/confusion_matrix.txt");
                run.logText(ModelCard.render(m, context.resultOf(m, evaluation), tags), "model_card.md");
                ModelFlavors.log(run, m.model(), m.labels(), MODEL_PATH, spark.version());
                run.end(true);
                open.remove(name);
            } catch (IOException e) {
                failed(name, new UncheckedIOException(e));
                throw new UncheckedIOException("Cannot log " + name + " to MLflow: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                failed(name, e);
                throw e;
            }
        }

        @Override
        public void anomaliesTrained(List<AnomalyDetectors.Result> results) {
            for (AnomalyDetectors.Result a : results) {
                RunHandle run = open.get(a.name());
                try {
                    run.logParams(a.params());
                    run.logMetrics(Map.of("roc_auc_event", a.rocAuc(), "pr_auc_event", a.prAuc(),
                            "train_background_windows", (double) a.trainRows()));
                    run.end(true);
                    open.remove(a.name());
                } catch (RuntimeException e) {
                    failed(AnomalyDetectors.STEP, e);
                    throw e;
                }
            }
        }

        @Override
        public void anomalyModelTrained(AnomalyModel model) {
            this.anomalyModel = model;
        }

        /** Logs the detectors (when trained) into {@code model/anomaly/} of the run and their thresholds as metrics. */
        void logAnomalyModel(String runId) {
            if (anomalyModel == null) {
                return;
            }
            // the training's work folder is gone by now (deleteWork): a folder of its own, removed after upload
            Path tmp = null;
            try {
                tmp = Files.createTempDirectory("fosm-anomaly");
                Path dir = tmp.resolve(AnomalyModel.ARTIFACT_DIR);
                anomalyModel.save(dir);
                RunHandle run = mlflow.endedRun(runId);
                run.logArtifact(dir, MODEL_PATH + "/" + AnomalyModel.ARTIFACT_DIR);
                run.logMetrics(Map.of("anomaly_forest_threshold", anomalyModel.forestThreshold(),
                        "anomaly_zscore_threshold", anomalyModel.zThreshold(),
                        "anomaly_target_false_positive_rate", anomalyModel.falsePositiveRate(),
                        "anomaly_training_flagged_rate", anomalyModel.trainingFlaggedRate()));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot log the anomaly detectors to MLflow: " + e.getMessage(), e);
            } finally {
                if (tmp != null) {
                    try (var walk = Files.walk(tmp)) {
                        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    } catch (IOException | RuntimeException ignored) {
                        // a temporary copy of what was uploaded
                    }
                }
            }
        }

        @Override
        public void failed(String step, RuntimeException error) {
            List<String> names = step.equals(AnomalyDetectors.STEP) ? AnomalyDetectors.NAMES : List.of(step);
            for (String name : names) {
                RunHandle run = open.remove(name);
                if (run != null) {
                    run.fail(error);
                }
            }
        }

        void failOpen(Throwable error) {
            for (RunHandle run : List.copyOf(open.values())) {
                run.fail(error);
            }
            open.clear();
        }

        private Path work() throws IOException {
            if (work == null) {
                work = Files.createTempDirectory("fosm-train");
            }
            return work;
        }

        void deleteWork() {
            if (work != null) {
                try (var walk = Files.walk(work)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException | RuntimeException ignored) {
                    // temporary plots only
                }
            }
        }
    }
}
