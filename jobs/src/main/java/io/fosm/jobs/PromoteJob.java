package io.fosm.jobs;

import io.fosm.cli.ExitCode;
import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Promotion;
import io.fosm.models.PromotionGate;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelRegistry;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fosm promote}: the challenger becomes champion only if the promotion gate allows it; otherwise it says why
 * and changes nothing (exit 0 either way: not promoting is a normal outcome, unless the caller asks for exit 1 with
 * {@code --fail-if-not-promoted}). {@code fosm rollback} restores the previous champion.
 */
final class PromoteJob {
    private PromoteJob() {}

    static int promote(SparkSession spark, FosmConfig config, boolean failIfNotPromoted) {
        ModelRegistry registry = MlflowTracking.connect(config.mlflow().trackingUri()).registry();
        PromotionGate gate = new PromotionGate(config.promote().metric(), config.promote().margin(),
                config.promote().maxClassRegression());
        // both versions are judged on one gold snapshot, named in the output
        Delta.Pinned gold = Delta.pinnedInput(spark, config, Tables.GOLD_FEATURES, java.util.Optional.empty(), "promote",
                "gold");
        System.out.println("promote: evaluating on " + gold.describe());
        // the event-level check needs the ground truth training labelled gold with
        java.util.List<io.fosm.generate.GroundTruthEvent> events =
                io.fosm.evaluation.EventEvaluations.trainingEvents(spark, config);
        java.util.Optional<Promotion.EventCheck> check = events.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of((model, labels, version, range) -> io.fosm.evaluation.EventEvaluations
                        .ofModel(config, model, labels, version, range, events).eventF1());
        Promotion.Outcome outcome = Promotion.promote(spark, registry, config.mlflow().modelName(), gold.rows(), gate,
                check);
        if (outcome.promoted()) {
            System.out.printf("promote: version %s is now the champion of %s (was %s): %s%n", outcome.challenger(),
                    config.mlflow().modelName(), outcome.champion().orElse("none"), outcome.reason());
        } else {
            System.out.printf("promote: version %s NOT promoted; the champion stays %s: %s%n", outcome.challenger(),
                    outcome.champion().orElse("none"), outcome.reason());
        }
        if (outcome.decision() != null && !outcome.decision().classF1Change().isEmpty()) {
            System.out.println("promote: per-class F1 change (challenger - champion): "
                    + outcome.decision().classF1Change());
        }
        if (!outcome.promoted() && failIfNotPromoted) {
            System.err.printf("fosm promote: Cannot promote version %s: %s%n", outcome.challenger(), outcome.reason());
            return ExitCode.REFUSED;
        }
        return ExitCode.OK;
    }

    static int rollback(FosmConfig config) {
        ModelRegistry registry = MlflowTracking.connect(config.mlflow().trackingUri()).registry();
        String version = Promotion.rollback(registry, config.mlflow().modelName());
        System.out.printf("rollback: version %s is the champion of %s again%n", version, config.mlflow().modelName());
        return 0;
    }
}
