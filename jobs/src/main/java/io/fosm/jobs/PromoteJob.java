package io.fosm.jobs;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Promotion;
import io.fosm.models.PromotionGate;
import io.fosm.registry.MlflowTracking;
import io.fosm.registry.ModelRegistry;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fosm promote}: the challenger becomes champion only if the promotion gate allows it; otherwise it says why
 * and changes nothing (exit 0 either way: not promoting is a normal outcome). {@code fosm rollback} restores the
 * previous champion.
 */
final class PromoteJob {
    private PromoteJob() {}

    static int promote(SparkSession spark, FosmConfig config) {
        ModelRegistry registry = MlflowTracking.connect(config.mlflow().trackingUri()).registry();
        PromotionGate gate = new PromotionGate(config.promote().metric(), config.promote().margin(),
                config.promote().maxClassRegression());
        // the event-level check needs the ground truth training labelled gold with
        java.util.List<io.fosm.generate.GroundTruthEvent> events =
                io.fosm.evaluation.EventEvaluations.trainingEvents(spark, config);
        java.util.Optional<Promotion.EventCheck> check = events.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of((model, labels, version, range) -> io.fosm.evaluation.EventEvaluations
                        .ofModel(config, model, labels, version, range, events).eventF1());
        Promotion.Outcome outcome = Promotion.promote(spark, registry, config.mlflow().modelName(),
                spark.read().format("delta").load(Tables.GOLD_FEATURES.path(config)), gate, check);
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
        return 0;
    }

    static int rollback(FosmConfig config) {
        ModelRegistry registry = MlflowTracking.connect(config.mlflow().trackingUri()).registry();
        String version = Promotion.rollback(registry, config.mlflow().modelName());
        System.out.printf("rollback: version %s is the champion of %s again%n", version, config.mlflow().modelName());
        return 0;
    }
}
