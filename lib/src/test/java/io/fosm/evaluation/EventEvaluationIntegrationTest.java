package io.fosm.evaluation;

import static io.fosm.lakehouse.Columns.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.generate.FiberSimulator;
import io.fosm.generate.GeneratorConfig;
import io.fosm.generate.GroundTruthEvent;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Scoring;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The event-level chain on a small generated fiber: the generator's event log, windows scored by an oracle that knows
 * the ground truth (the class of the event covering the window's channel at its midpoint), the stream's incident
 * tracker, the evaluation, and its Delta/JSON writer. With perfect window scores every event must come out as one
 * incident of the right class, where the event is, moving ones at their speed.
 */
class EventEvaluationIntegrationTest {
    private static final List<String> LABELS = List.of("background", "digging", "leak", "pig", "vehicle", "walking");

    @Test
    void perfectWindowScoresGiveOneRightIncidentPerEvent() throws Exception {
        SparkSession spark = SparkTestSession.get();
        int channels = 48;
        double seconds = 70;
        // the oracle is sure of every class (share 1): split detections where the class changes, so a vehicle
        // driving past a leak is two detections (the default, 2, never splits: it paid on real classifier scores)
        FosmConfig config = SparkTestSession.lakehouse("event-evaluation", "fibers=demo",
                "fiber.demo.channels=" + channels, "stream.alert.split_class_share=0.9");
        GeneratorConfig gen = GeneratorConfig.builder().output(config.lakehouseRoot()).fiberId("demo")
                .channels(channels).durationSeconds(seconds).seed(11).build();
        new FiberSimulator(gen).run();
        List<GroundTruthEvent> events = EventEvaluations.trainingEvents(spark, config);
        assertTrue(events.size() >= 5, "one event of each class at least: " + events.size());
        assertTrue(events.stream().anyMatch(e -> e.speedMps() > 0), "moving events too");

        StructType schema = new StructType().add(FIBER_ID, DataTypes.StringType).add(CHANNEL, DataTypes.IntegerType)
                .add(WINDOW_START, DataTypes.TimestampType).add(WINDOW_END, DataTypes.TimestampType)
                .add(Scoring.EVENT_SCORE, DataTypes.DoubleType)
                .add(Scoring.PROBABILITIES, DataTypes.createArrayType(DataTypes.DoubleType))
                .add(CLASSES, DataTypes.StringType).add(MODEL_VERSION, DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        long t0 = gen.startMicros();
        for (long start = t0; start + 1_000_000 <= t0 + Math.round(seconds * 1e6); start += 500_000) {
            long mid = start + 500_000;
            for (int c = 0; c < channels; c++) {
                double[] p = new double[LABELS.size()];
                p[0] = 1;
                for (GroundTruthEvent e : events) {
                    if (e.covers(c, mid)) {
                        p = new double[LABELS.size()];
                        p[LABELS.indexOf(e.type().label())] = 1;
                        break;
                    }
                }
                List<Double> probs = new ArrayList<>();
                for (double x : p) {
                    probs.add(x);
                }
                rows.add(RowFactory.create("demo", c, Bronze.toTimestamp(start), Bronze.toTimestamp(start + 1_000_000),
                        1 - p[0], probs, String.join(",", LABELS), "oracle"));
            }
        }
        Dataset<Row> scored = spark.createDataFrame(rows, schema);
        EventScores s = EventEvaluations.ofScores(config, scored, events);
        System.out.print(s.scorecard());

        assertEquals(events.size(), s.events());
        assertEquals(1.0, s.eventRecall(), "every event found with its class: " + s.confusion());
        assertEquals(1.0, s.incidentsPerDetectedEvent(), "one incident per event");
        assertEquals(0, s.falseAlarms());
        assertTrue(s.locationErrorAtDetectionMedianM() <= 1.0, "localised within a channel: " + s.scorecard());
        assertTrue(s.speedErrorMedianMps() < 0.5, "moving events at their speed: " + s.scorecard());

        Path json = Path.of(config.lakehouseRoot(), "evaluation.json");
        String id = EventEvaluations.write(spark, config, s, "test", "oracle", "1", json);
        Row f1 = spark.read().format("delta").load(Tables.EVENT_EVALUATION.path(config))
                .filter(org.apache.spark.sql.functions.col(EVALUATION_ID).equalTo(id)
                        .and(org.apache.spark.sql.functions.col(METRIC).equalTo("event_f1"))).first();
        assertEquals(s.eventF1(), f1.getDouble(f1.fieldIndex(VALUE)));
        assertTrue(Files.readString(json).contains("\"confusion\""));
    }
}
