package io.fosm.jobs;

import io.fosm.cli.ExitCode;
import io.fosm.config.FosmConfig;
import io.fosm.evaluation.EventScores;
import io.fosm.models.AnomalyDetectors;
import io.fosm.models.ClassificationMetrics;
import io.fosm.models.Promotion;
import io.fosm.models.Trainer;
import io.fosm.models.Training;
import io.fosm.models.TrainingOptions;
import io.fosm.models.TrainingRuns;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelVersion;
import java.io.IOException;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fosm train}: trains the model zoo on gold_features with one MLflow run per model, opened when the model's
 * training starts and ended FINISHED (FAILED with the error on a crash), registers the best by macro-F1 and gives it
 * the {@code challenger} alias ({@link TrainingRuns}), then prints the leaderboard. Exit 1 when the Deequ gate refuses
 * the training set.
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
        TrainingRuns.Outcome outcome = TrainingRuns.train(spark, config, options, mlflow, env);
        Training.Result result = outcome.training();
        String experiment = outcome.experimentId();
        System.out.println("train: " + result.split().describe());
        System.out.println("train: " + result.trainRows() + " training windows " + result.trainClassCounts() + ", "
                + result.evalRows() + " evaluation windows" + (result.ambiguousLeftOut() > 0 ? " ("
                + result.ambiguousLeftOut() + " label_ambiguous evaluation windows left out of the headline metrics: train.eval_collar)" : ""));
        if (!result.report().passed()) {
            System.out.print(result.report().render());
            System.err.println("fosm train: Cannot train: the Deequ checks of the training set failed (see above)");
            return ExitCode.REFUSED;
        }
        Trainer.TrainedModel best = outcome.best().orElseThrow();
        ModelVersion version = outcome.version().orElseThrow();

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
}
