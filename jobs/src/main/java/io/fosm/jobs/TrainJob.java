package io.fosm.jobs;

import io.fosm.cli.ExitCode;
import io.fosm.config.FosmConfig;
import io.fosm.evaluation.EventScores;
import io.fosm.models.AnomalyDetectors;
import io.fosm.models.ClassificationMetrics;
import io.fosm.models.HeldOutEvaluation;
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
 * training starts and ended FINISHED (FAILED with the error on a crash), registers the best by macro-F1 on clearly
 * labelled windows and gives it the {@code challenger} alias ({@link TrainingRuns}), then prints the leaderboard:
 * macro-F1 on every window first, the held-out fibers' figures last when {@code train.heldout_fibers} names some.
 * Exit 1 when the Deequ gate refuses the training set.
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
                + result.ambiguousLeftOut() + " label_ambiguous evaluation windows left out of the secondary metrics:"
                + " train.eval_collar)" : "")
                + (result.heldOutRows().isEmpty() ? "" : "; held out, never trained: " + result.heldOutRows()
                + " labelled windows"));
        if (!result.report().passed()) {
            System.out.print(result.report().render());
            System.err.println("fosm train: Cannot train: the Deequ checks of the training set failed (see above)");
            return ExitCode.REFUSED;
        }
        Trainer.TrainedModel best = outcome.best().orElseThrow();
        ModelVersion version = outcome.version().orElseThrow();

        System.out.println("\nleaderboard (evaluation range " + result.split().evalStart() + " .. "
                + result.split().dataEnd() + (result.heldOutRows().isEmpty() ? "" : "; held-out fibers "
                + String.join(",", result.heldOutRows().keySet())) + "):");
        boolean heldOut = !result.heldOut().isEmpty();
        System.out.printf("  %-24s %9s %9s %9s %9s %9s %8s %9s %10s%s%n", "model", "F1 every", "F1 clear",
                "accuracy", "ROC-AUC", "PR-AUC", "train s", "event F1", "inc/event", heldOut
                        ? String.format(" %9s %9s %9s %9s", "HO F1", "HO F1 min", "HO evF1", "HO evF1mn") : "");
        // sorted by the headline: macro-F1 on every labelled window of the evaluation range
        result.models().stream().sorted(Comparator.comparingDouble(m -> -result.everyWindow(m).macroF1()))
                .forEach(m -> {
            ClassificationMetrics every = result.everyWindow(m);
            EventScores ev = result.eventScores().get(m.kind());
            HeldOutEvaluation ho = result.heldOut().get(m.kind());
            System.out.printf(Locale.ROOT, "%s %-24s %9.4f %9s %9.4f %9.4f %9.4f %8.1f %9s %10s%s%n",
                    m.kind() == best.kind() ? "*" : " ", m.kind().modelName(), every.macroF1(),
                    result.allWindowMetrics().containsKey(m.kind())
                            ? String.format(Locale.ROOT, "%.4f", m.metrics().macroF1()) : "-",
                    m.metrics().accuracy(), m.metrics().rocAuc(), m.metrics().prAuc(), m.trainSeconds(),
                    ev == null ? "-" : String.format(Locale.ROOT, "%.4f", ev.eventF1()),
                    ev == null ? "-" : String.format(Locale.ROOT, "%.2f", ev.incidentsPerDetectedEvent()),
                    ho == null ? "" : String.format(Locale.ROOT, " %9s %9s %9s %9s",
                            num(ho.spread("window_macro_f1").mean()), num(ho.spread("window_macro_f1").min()),
                            num(ho.spread("event_f1").mean()), num(ho.spread("event_f1").min())));
        });
        System.out.println("  (F1 every: macro-F1 on every labelled evaluation window, the headline; F1 clear: on"
                + " clearly labelled windows (train.eval_collar), which selects the registered model, marked *, and"
                + " which the promotion gate compares)");
        if (!result.eventScores().isEmpty()) {
            System.out.println("  (event F1 and incidents per detected event: every evaluation window replayed through "
                    + "the stream's incident tracker with the anomaly detectors, matched to the ground-truth events;"
                    + " docs/incidents.md)");
        }
        if (heldOut) {
            System.out.println("  (HO: on the held-out fibers, each as a whole: mean and min across them of macro-F1 on"
                    + " every window and of event F1; per fiber and the spread in MLflow and the model card)");
        }
        for (AnomalyDetectors.Result a : result.anomalies()) {
            System.out.printf(Locale.ROOT, "  %-24s %9s %9s %9s %9.4f %9.4f   (unsupervised, event vs background)%n",
                    a.name(), "-", "-", "-", a.rocAuc(), a.prAuc());
        }
        System.out.printf("train: registered %s version %s (%s) as '%s' in %.1f s; MLflow UI: %s/#/experiments/%s%n",
                config.mlflow().modelName(), version.version(), best.kind().modelName(), Promotion.CHALLENGER,
                (System.nanoTime() - t0) / 1e9, config.mlflow().trackingUri(), experiment);
        return 0;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
