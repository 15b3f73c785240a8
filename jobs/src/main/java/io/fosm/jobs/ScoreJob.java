package io.fosm.jobs;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Delta;
import io.fosm.reliability.FaultPoints;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Promotion;
import io.fosm.models.Scoring;
import io.fosm.registry.ModelRegistry;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.MlflowTracking;
import io.fosm.spark.Sessions;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** {@code fosm score}: gold_features -> gold_predictions with the champion (loaded by alias). */
final class ScoreJob {
    private ScoreJob() {}

    /** A geometry column of gold (chainage, coordinates); null in a gold table written before gold carried it. */
    private static org.apache.spark.sql.Column geometry(Dataset<Row> gold, String column) {
        return java.util.Arrays.asList(gold.columns()).contains(column) ? col(column)
                : lit(null).cast(org.apache.spark.sql.types.DataTypes.DoubleType).as(column);
    }

    static int run(SparkSession spark, FosmConfig config, Optional<LocalDate> date) {
        long t0 = System.nanoTime();
        ModelRegistry registry = MlflowTracking.connect(config.mlflow().trackingUri()).registry();
        ModelVersion champion = registry.byAlias(config.mlflow().modelName(), Promotion.CHAMPION).orElseThrow(() ->
                new IllegalStateException("Cannot score: registered model " + config.mlflow().modelName()
                        + " has no champion (run `fosm train` and `fosm promote`)"));
        List<String> classes = Promotion.classes(champion);
        Delta.Pinned input = Delta.pinnedInput(spark, config, Tables.GOLD_FEATURES, date, "score", "gold");
        Dataset<Row> gold = input.rows();
        Sessions.describe(spark, "fosm-score", "score gold_features with " + champion.uri());
        Dataset<Row> scored = Scoring.score(Promotion.load(spark, registry, champion),
                        Promotion.loadAnomaly(registry, champion), gold, classes, BACKGROUND)
                .select(col(FIBER_ID), col(CHANNEL), col(WINDOW_START), col(WINDOW_END), col(EVENT_DATE), col(LABEL),
                        col(Scoring.PREDICTED_LABEL), col(Scoring.EVENT_SCORE), col(Scoring.PROBABILITIES),
                        col(ANOMALY_SCORE), col(ANOMALOUS),
                        lit(String.join(",", classes)).as("classes"), lit(champion.name()).as("model_name"),
                        lit(champion.version()).as("model_version"), current_timestamp().as("scored_at"),
                        geometry(gold, CHAINAGE_M), geometry(gold, LATITUDE), geometry(gold, LONGITUDE));
        String path = Tables.GOLD_PREDICTIONS.path(config);
        Delta.replace(scored, path, date, Optional.of(Delta.inputsMetadata(input) + " model: " + champion.name() + "/"
                + champion.version()), FIBER_ID, EVENT_DATE);
        FaultPoints.reached("score.after_commit");
        long rows = spark.read().format("delta").load(path).count();
        System.out.printf("score: %d windows scored with %s version %s in %.1f s (input %s)%n", rows, champion.name(),
                champion.version(), (System.nanoTime() - t0) / 1e9, input.describe());
        return 0;
    }
}
