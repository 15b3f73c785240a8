package io.fosm.jobs;

import io.fosm.evaluation.EventScores;
import io.fosm.config.FosmConfig;
import io.fosm.drift.ReferenceProfile;
import io.fosm.models.AnomalyDetectors;
import io.fosm.models.ClassificationMetrics;
import io.fosm.models.ModelCard;
import io.fosm.models.Plots;
import io.fosm.models.Promotion;
import io.fosm.models.Trainer;
import io.fosm.models.Training;
import io.fosm.models.TrainingOptions;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.RunHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fosm train}: trains the model zoo on gold_features, logs one MLflow run per model (params, metrics per class,
 * provenance tags, plots, the Deequ report, a model card and the model in MLflow's spark flavour), registers the best
 * by macro-F1 and gives it the {@code challenger} alias. Exit 1 when the Deequ gate refuses the training set.
 */
final class TrainJob {
    private TrainJob() {}

    static int run(SparkSession spark, FosmConfig config, Map<String, String> env) throws IOException {
        // XGBoost trains in a barrier stage: never more workers than task slots, each with spark.task.cpus threads
        int cpusPerTask = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
        int slots = Math.max(1, spark.sparkContext().defaultParallelism() / cpusPerTask);
        TrainingOptions options = TrainingOptions.of(config.train(), slots, cpusPerTask);
        MlflowTracking mlflow = MlflowTracking.connect(config.mlflow().trackingUri());
        long t0 = System.nanoTime();
        Training.Result result = Training.run(spark, config, options, config.train().classes());
        System.out.println("train: " + result.split().describe());
        System.out.println("train: " + result.trainRows() + " training windows " + result.trainClassCounts() + ", "
                + result.evalRows() + " evaluation windows" + (result.ambiguousLeftOut() > 0 ? " ("
                + result.ambiguousLeftOut() + " label_ambiguous evaluation windows left out of the headline metrics: train.eval_collar)" : ""));
        if (!result.report().passed()) {
            System.out.print(result.report().render());
            System.err.println("fosm train: Cannot train: the Deequ checks of the training set failed (see above)");
            return 1;
        }
        String experiment = mlflow.experimentId(config.mlflow().experiment());
        Map<String, String> tags = provenance(spark, config, result, env);
        Path work = Files.createTempDirectory("fosm-train");
        Map<String, String> runIds = new LinkedHashMap<>();
        Trainer.TrainedModel best = result.models().stream()
                .max(Comparator.comparingDouble(m -> m.metrics().macroF1()))
                .orElseThrow(() -> new IllegalStateException("Cannot register: train.models is empty"));
        // what drift detection compares serving data with, stored with the registered model (docs/drift.md)
        ReferenceProfile reference = ReferenceProfile.forTraining(spark, config, result.split(), result.features(),
                best.model(), best.labels());
        for (Trainer.TrainedModel m : result.models()) {
            try (RunHandle run = mlflow.startRun(experiment, m.kind().modelName(), tags)) {
                Map<String, String> params = new LinkedHashMap<>(m.params());
                params.put("train_fraction", String.valueOf(options.trainFraction()));
                params.put("features", String.valueOf(result.features().size()));
                params.put("classes", String.join(",", m.labels()));
                run.logParams(params);
                Map<String, Double> metrics = new LinkedHashMap<>(m.metrics().asMetrics());
                metrics.put("train_seconds", m.trainSeconds());
                ClassificationMetrics all = result.allWindowMetrics().get(m.kind());
                if (all != null) {
                    all.asMetrics().forEach((k, val) -> metrics.put("all_windows_" + k, val));
                }
                metrics.put("ambiguous_windows_left_out", (double) result.ambiguousLeftOut());
                result.trainClassCounts().forEach((c, n) -> metrics.put("train_windows_" + c, (double) n));
                EventScores events = result.eventScores().get(m.kind());
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
                Path confusion = work.resolve(m.kind().modelName() + "_confusion_matrix.png");
                Plots.confusionMatrix(m.metrics(), m.kind().modelName() + ": evaluation range", confusion);
                run.logArtifact(confusion, "plots");
                if (!m.importance().isEmpty()) {
                    Path importance = work.resolve(m.kind().modelName() + "_feature_importance.png");
                    Plots.featureImportance(m.importance(), m.kind().modelName() + ": feature importance", importance);
                    run.logArtifact(importance, "plots");
                }
                run.logText(result.report().render(), "quality/deequ_training_set.txt");
                run.logText(m.metrics().confusionText(), "evaluation/confusion_matrix.txt");
                run.logText(ModelCard.render(m, result, tags), "model_card.md");
                run.logSparkModel(m.model(), "model", spark.version());
                if (m == best) {
                    run.logText(reference.forRun(run.runId()).toJson(), ReferenceProfile.ARTIFACT);
                }
                runIds.put(m.kind().modelName(), run.runId());
            }
        }
        for (AnomalyDetectors.Result a : result.anomalies()) {
            try (RunHandle run = mlflow.startRun(experiment, a.name(), tags)) {
                run.logParams(a.params());
                run.logMetrics(Map.of("roc_auc_event", a.rocAuc(), "pr_auc_event", a.prAuc(),
                        "train_background_windows", (double) a.trainRows()));
            }
        }
        Map<String, String> versionTags = new LinkedHashMap<>();
        versionTags.put("model_kind", best.kind().modelName());
        versionTags.put(Promotion.CLASSES_TAG, String.join(",", best.labels()));
        versionTags.put(Promotion.EVAL_START_TAG, result.split().evalStart().toString());
        versionTags.put(Promotion.EVAL_END_TAG, result.split().dataEnd().toString());
        versionTags.put("macro_f1", String.format(Locale.ROOT, "%.4f", best.metrics().macroF1()));
        versionTags.put(Promotion.EVAL_COLLAR_TAG, String.valueOf(options.evalCollar()));
        ModelVersion version = mlflow.registry().register(config.mlflow().modelName(),
                runIds.get(best.kind().modelName()), "model", versionTags);
        mlflow.registry().setAlias(config.mlflow().modelName(), Promotion.CHALLENGER, version.version());
        reference.forModel(config.mlflow().modelName(), version.version(), version.runId()).save(spark, config);

        System.out.println("\nleaderboard (evaluation range " + result.split().evalStart() + " .. "
                + result.split().dataEnd() + "):");
        System.out.printf("  %-24s %9s %9s %9s %9s %8s %14s %9s %10s%n", "model", "macro-F1", "accuracy", "ROC-AUC",
                "PR-AUC", "train s", "all-windows F1", "event F1", "inc/event");
        result.models().stream().sorted(Comparator.comparingDouble(m -> -m.metrics().macroF1())).forEach(m -> {
            ClassificationMetrics all = result.allWindowMetrics().get(m.kind());
            EventScores ev = result.eventScores().get(m.kind());
            System.out.printf(Locale.ROOT, "  %-24s %9.4f %9.4f %9.4f %9.4f %8.1f %14s %9s %10s%n", m.kind().modelName(),
                    m.metrics().macroF1(), m.metrics().accuracy(), m.metrics().rocAuc(), m.metrics().prAuc(),
                    m.trainSeconds(), all == null ? "-" : String.format(Locale.ROOT, "%.4f", all.macroF1()),
                    ev == null ? "-" : String.format(Locale.ROOT, "%.4f", ev.eventF1()),
                    ev == null ? "-" : String.format(Locale.ROOT, "%.2f", ev.incidentsPerDetectedEvent()));
        });
        if (!result.eventScores().isEmpty()) {
            System.out.println("  (event F1 and incidents per detected event: every evaluation window replayed through "
                    + "the stream's incident tracker, matched to the ground-truth events; docs/incidents.md)");
        }
        if (result.ambiguousLeftOut() > 0) {
            System.out.println("  (macro-F1 and accuracy leave out label_ambiguous windows; all-windows F1 includes them)");
        }
        for (AnomalyDetectors.Result a : result.anomalies()) {
            System.out.printf(Locale.ROOT, "  %-24s %9s %9s %9.4f %9.4f   (unsupervised, event vs background)%n",
                    a.name(), "-", "-", a.rocAuc(), a.prAuc());
        }
        System.out.printf("train: registered %s version %s (%s) as '%s' in %.1f s; MLflow UI: %s/#/experiments/%s%n",
                config.mlflow().modelName(), version.version(), best.kind().modelName(), Promotion.CHALLENGER,
                (System.nanoTime() - t0) / 1e9, config.mlflow().trackingUri(), experiment);
        return 0;
    }

    private static Map<String, String> provenance(SparkSession spark, FosmConfig config, Training.Result result,
                                                  Map<String, String> env) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("git_commit", env.getOrDefault("FOSM_GIT_COMMIT", "unknown"));
        tags.put("gold_delta_version", String.valueOf(result.goldVersion()));
        tags.put("spark_version", spark.version());
        tags.put("lakehouse", config.lakehouseRoot());
        tags.put("data_range", result.split().dataStart() + " .. " + result.split().dataEnd());
        tags.put("split", result.split().describe());
        return tags;
    }
}
