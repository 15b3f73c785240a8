package io.fosm.evaluation;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.unix_micros;

import io.fosm.config.FiberSpec;
import io.fosm.config.FosmConfig;
import io.fosm.generate.EventType;
import io.fosm.generate.GroundTruthEvent;
import io.fosm.incidents.IncidentRows;
import io.fosm.incidents.IncidentTracker;
import io.fosm.incidents.IncidentTracker.Incident;
import io.fosm.incidents.ScoredWindowReplay;
import io.fosm.lakehouse.Schemas;
import io.fosm.models.Scoring;
import io.fosm.lakehouse.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark side of the event-level evaluation: reads ground-truth event logs, replays scored windows through the
 * incident tracker (the stream's own code) or reads a stream's incidents table, and writes the figures to the
 * {@code event_evaluation} Delta table and a JSON file. The counting itself is {@link EventEvaluation} (pure Java).
 *
 * <p>Cost: the scored windows stay distributed; only window starts and active cells reach the driver
 * ({@link ScoredWindowReplay}); the event log is small.
 */
public final class EventEvaluations {
    private EventEvaluations() {}

    /** The evaluation settings of {@code config} (evaluate.*, the window length). */
    public static EventEvaluation.Settings settings(FosmConfig config) {
        IncidentTracker.Settings t = IncidentRows.settings(config);
        return new EventEvaluation.Settings(Math.round(config.incidents().collarSeconds() * 1e6),
                config.incidents().toleranceChannels(), t.windowMicros());
    }

    /** Reads ground-truth event logs (a JSON-lines file or a folder of {@code *_events.jsonl}). */
    public static List<GroundTruthEvent> readEvents(SparkSession spark, String path) {
        DataFrameReader reader = spark.read().schema(Schemas.EVENT_LOG).option("mode", "FAILFAST");
        // a folder holds other logs too (e.g. the injected faults): only the event logs
        boolean file = path.endsWith(".jsonl") || path.endsWith(".json");
        return events((file ? reader : reader.option("pathGlobFilter", "*_events.jsonl")).json(path), path);
    }

    private static List<GroundTruthEvent> events(Dataset<Row> rows, String path) {
        List<GroundTruthEvent> out = new ArrayList<>();
        for (Row r : rows.collectAsList()) {
            String id = r.getAs(EVENT_ID);
            if (id == null || r.getAs(EVENT_TYPE) == null || r.getAs(START_TIME) == null || r.getAs(END_TIME) == null) {
                throw new IllegalArgumentException("Cannot read the event log " + path + ": a line lacks event_id, "
                        + "event_type, start_time or end_time: " + r);
            }
            out.add(new GroundTruthEvent(id, r.getAs(FIBER_ID), EventType.parse(r.getAs(EVENT_TYPE)),
                    micros(r.getAs(START_TIME)), micros(r.getAs(END_TIME)), r.getAs(CENTER_CHANNEL_START),
                    r.getAs(CENTER_CHANNEL_END), r.getAs(HALF_WIDTH_CHANNELS), orZero(r.getAs(SPEED_MPS)),
                    orZero(r.getAs(PEAK_AMPLITUDE)), Boolean.TRUE.equals(r.getAs(DRIFT))));
        }
        return out;
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }

    /**
     * The events of {@code config}'s labels path (the logs training labels gold with), empty when there are none.
     */
    public static List<GroundTruthEvent> trainingEvents(SparkSession spark, FosmConfig config) {
        return io.fosm.lakehouse.Gold.readEvents(spark, config.labelsPath()).map(r -> events(r, config.labelsPath()))
                .orElse(List.of());
    }

    /**
     * Scores {@code range} (gold rows) with {@code model} and evaluates it at the event level: the windows replayed
     * through the stream's incident tracker, the incidents matched to {@code events}.
     */
    public static EventScores ofModel(FosmConfig config, PipelineModel model, List<String> labels, String version,
                                      Dataset<Row> range, List<GroundTruthEvent> events) {
        return ofModel(config, model, java.util.Optional.empty(), labels, version, range, events);
    }

    /** {@link #ofModel} with the model's anomaly detectors flagging windows, as the stream and fosm score do. */
    public static EventScores ofModel(FosmConfig config, PipelineModel model,
                                      java.util.Optional<io.fosm.models.AnomalyModel> anomaly, List<String> labels,
                                      String version, Dataset<Row> range, List<GroundTruthEvent> events) {
        Dataset<Row> scored = Scoring.score(model, anomaly, range, labels, BACKGROUND)
                .select(col(FIBER_ID), col(CHANNEL), col(WINDOW_START), col(WINDOW_END), col(Scoring.EVENT_SCORE),
                        col(Scoring.PROBABILITIES), col(ANOMALOUS), lit(String.join(",", labels)).as(CLASSES),
                        lit(version).cast("string").as(MODEL_VERSION))
                .cache();
        try {
            return ofScores(config, scored, events);
        } finally {
            scored.unpersist();
        }
    }

    /** Replays {@code scored} through a fresh tracker and evaluates the incidents it ends with. */
    public static EventScores ofScores(FosmConfig config, Dataset<Row> scored, List<GroundTruthEvent> events) {
        List<Incident> incidents = IncidentRows.latest(ScoredWindowReplay.replay(scored,
                new IncidentTracker(IncidentRows.settings(config))));
        return evaluate(config, incidents, observed(config, scored), events);
    }

    /** Evaluates the latest state of each incident of an incidents table over the stretch {@code scored} covers. */
    public static EventScores ofIncidents(FosmConfig config, Dataset<Row> incidentsTable, Dataset<Row> scored,
                                          List<GroundTruthEvent> events) {
        List<Incident> incidents = new ArrayList<>();
        for (Row r : IncidentRows.latest(incidentsTable).collectAsList()) {
            incidents.add(IncidentRows.fromRow(r));
        }
        return evaluate(config, incidents, observed(config, scored), events);
    }

    private static EventScores evaluate(FosmConfig config, List<Incident> incidents,
                                        List<EventEvaluation.Observed> observed, List<GroundTruthEvent> events) {
        // events of the observed fibers that happened while they were observed
        List<GroundTruthEvent> seen = new ArrayList<>();
        for (GroundTruthEvent e : events) {
            for (EventEvaluation.Observed o : observed) {
                if (o.fiberId().equals(e.fiberId()) && e.startMicros() < o.endMicros()
                        && e.endMicros() > o.startMicros()) {
                    seen.add(e);
                    break;
                }
            }
        }
        return EventEvaluation.evaluate(seen, incidents, observed, config.fibers(), settings(config));
    }

    /** Per fiber: the first window start to the last window end of {@code scored}. */
    static List<EventEvaluation.Observed> observed(FosmConfig config, Dataset<Row> scored) {
        List<EventEvaluation.Observed> out = new ArrayList<>();
        for (Row r : scored.groupBy(FIBER_ID).agg(min(unix_micros(col(WINDOW_START))), max(unix_micros(col(WINDOW_END))))
                .collectAsList()) {
            FiberSpec fiber = config.fibers().get(r.getString(0));
            out.add(new EventEvaluation.Observed(r.getString(0), r.getLong(1), r.getLong(2),
                    fiber == null ? 0 : fiber.channels()));
        }
        return out;
    }

    /**
     * Appends {@code scores} to {@code event_evaluation} (one row per figure) and, when {@code json} is given, writes
     * the whole report there. Returns the evaluation id.
     */
    public static String write(SparkSession spark, FosmConfig config, EventScores scores, String source,
                               String modelName, String modelVersion, Path json) {
        String id = UUID.randomUUID().toString();
        Timestamp now = Timestamp.from(Instant.now());
        String detail = scores.toJson();
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Double> m : scores.metrics().entrySet()) {
            rows.add(RowFactory.create(id, source, modelName, modelVersion, m.getKey(),
                    m.getValue() == null || m.getValue().isNaN() ? null : m.getValue(), detail, now));
        }
        spark.createDataFrame(rows, Schemas.EVENT_EVALUATION).write().format("delta").mode("append")
                .save(Tables.EVENT_EVALUATION.path(config));
        if (json != null) {
            try {
                if (json.getParent() != null) {
                    Files.createDirectories(json.getParent());
                }
                Files.writeString(json, detail, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot write the event evaluation to " + json + ": " + e.getMessage(),
                        e);
            }
        }
        return id;
    }

    private static long micros(Timestamp t) {
        return Math.floorDiv(t.getTime(), 1000L) * 1_000_000L + t.getNanos() / 1000;
    }
}
