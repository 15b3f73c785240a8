package io.fosm.jobs;

import static io.fosm.lakehouse.Columns.MODEL_VERSION;
import static org.apache.spark.sql.functions.col;

import io.fosm.config.FosmConfig;
import io.fosm.evaluation.EventEvaluations;
import io.fosm.evaluation.EventScores;
import io.fosm.generate.GroundTruthEvent;
import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.Tables;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fosm evaluate}: event-level evaluation (io.fosm.evaluation.EventEvaluation) of the stream's incidents table,
 * or of a scored table (stream_scores, gold_predictions) replayed through the incident tracker, against a ground-truth
 * event log. Prints the scorecard, appends the figures to {@code event_evaluation} and writes the JSON report.
 * Cost: one pass over the scored table (its active cells and window starts reach the driver) and the event log.
 */
final class EvaluateJob {
    private EvaluateJob() {}

    /** The options of {@code fosm evaluate} (picocli: {@link JobCommands.Evaluate}). */
    record Options(Optional<String> events, String source, Optional<Path> json) {}

    /** {@code --source}: one of the tables an evaluation can read. */
    static final class Source implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!List.of("incidents", "stream_scores", "gold_predictions").contains(value)) {
                throw new picocli.CommandLine.TypeConversionException("expected incidents, stream_scores or"
                        + " gold_predictions, got '" + value + "'");
            }
            return value;
        }
    }

    static int run(SparkSession spark, FosmConfig config, Options options) {
        String eventsPath = options.events().orElse(config.labelsPath());
        List<GroundTruthEvent> events = EventEvaluations.readEvents(spark, eventsPath);
        Tables scoredTable = options.source().equals("gold_predictions") ? Tables.GOLD_PREDICTIONS : Tables.STREAM_SCORES;
        Dataset<Row> scored = read(spark, config, scoredTable);
        EventScores scores;
        if (options.source().equals("incidents")) {
            scores = EventEvaluations.ofIncidents(config, read(spark, config, Tables.INCIDENTS), scored, events);
        } else {
            scores = EventEvaluations.ofScores(config, scored, events);
        }
        String versions = String.join(",", scored.select(col(MODEL_VERSION).cast("string")).distinct().na().drop()
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        String id = EventEvaluations.write(spark, config, scores, options.source(), config.mlflow().modelName(),
                versions.isEmpty() ? null : versions, options.json().orElse(null));
        System.out.println("evaluate: " + options.source() + " against " + eventsPath + " (evaluation " + id + ")");
        System.out.print(scores.scorecard());
        options.json().ifPresent(p -> System.out.println("evaluate: report written to " + p));
        return 0;
    }

    private static Dataset<Row> read(SparkSession spark, FosmConfig config, Tables table) {
        String path = table.path(config);
        if (!Delta.exists(spark, path)) {
            throw new IllegalStateException("Cannot evaluate: table " + table.tableName() + " does not exist at " + path
                    + " (run fosm stream or fosm score first)");
        }
        return spark.read().format("delta").load(path);
    }
}
