package io.fosm.evaluation;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.fosm.config.FosmConfig;
import io.fosm.generate.GroundTruthEvent;
import io.fosm.lakehouse.Columns;
import io.fosm.models.Scoring;
import io.fosm.testing.SparkTestSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Not a test (surefire's patterns do not pick it up): replays the scored windows HeldOutSeedsBench dumped
 * ({@code -Dfosm.bench.dump=true}) through the incident tracker under several tracker settings and prints the event
 * figures of each, for choosing the stream.alert.* defaults by measurement (docs/incidents.md).
 * Run: {@code mvn -pl lib test -Dtest=TrackerSettingsBench -Dfosm.bench.scores=DIR1:EVENTS1.jsonl,DIR2:EVENTS2.jsonl
 * -Dfosm.bench.settings="stream.alert.split_class_share=2;stream.alert.split_class_share=0.6 ..."} (settings sets
 * separated by ';', keys within a set by ' '); output in lib/target/heldout-bench/tracker.txt.
 */
class TrackerSettingsBench {
    @Test
    void sweep() throws Exception {
        SparkSession spark = SparkTestSession.get();
        List<String[]> inputs = new ArrayList<>();
        for (String s : System.getProperty("fosm.bench.scores").split(",")) {
            inputs.add(s.split(":"));
        }
        StringBuilder out = new StringBuilder();
        for (String set : System.getProperty("fosm.bench.settings", "").split(";")) {
            String[] overrides = set.isBlank() ? new String[0] : set.trim().split("\\s+");
            FosmConfig config = SparkTestSession.lakehouse("tracker-bench", overrides);
            double f1 = 0;
            double inc = 0;
            double recall = 0;
            double precision = 0;
            double p95 = 0;
            double ttd = 0;
            double falseAlarms = 0;
            StringBuilder per = new StringBuilder();
            for (String[] in : inputs) {
                Dataset<Row> dumped = spark.read().parquet(in[0]);
                if (!java.util.Arrays.asList(dumped.columns()).contains(Columns.WINDOW_END)) {
                    // dumps of the first version held neither: gold's 1 s windows and the sorted training labels
                    dumped = dumped.withColumn(Columns.WINDOW_END, expr(Columns.WINDOW_START + " + INTERVAL 1 SECOND"))
                            .withColumn(Columns.CLASSES, lit("background,digging,leak,pig,vehicle,walking"));
                }
                Dataset<Row> scored = dumped.withColumn(Columns.MODEL_VERSION, lit("bench"))
                        .select(col(Columns.FIBER_ID), col(Columns.CHANNEL), col(Columns.WINDOW_START),
                                col(Columns.WINDOW_END), col(Scoring.EVENT_SCORE), col(Scoring.PROBABILITIES),
                                col(Columns.ANOMALOUS), col(Columns.CLASSES), col(Columns.MODEL_VERSION)).cache();
                List<GroundTruthEvent> events = EventEvaluations.readEvents(spark, in[1]);
                EventScores s = EventEvaluations.ofScores(config, scored, events);
                f1 += s.eventF1() / inputs.size();
                inc += s.incidentsPerDetectedEvent() / inputs.size();
                recall += s.metrics().get("event_recall") / inputs.size();
                precision += s.metrics().get("incident_precision") / inputs.size();
                p95 += s.locationErrorAtDetectionP95M() / inputs.size();
                ttd += s.timeToDetectMedianS() / inputs.size();
                falseAlarms += s.falseAlarms();
                per.append(String.format(Locale.ROOT, " | F1 %.3f inc/ev %.2f merges %.0f", s.eventF1(),
                        s.incidentsPerDetectedEvent(), s.metrics().getOrDefault("incident_merges", Double.NaN)));
                scored.unpersist();
            }
            out.append(String.format(Locale.ROOT, "%-90s mean F1 %.3f recall %.3f precision %.3f inc/ev %.2f "
                    + "loc p95 %.2f m, ttd median %.2f s, false alarms %.0f%s%n",
                    set.trim().isEmpty() ? "(defaults)" : set.trim(), f1, recall, precision, inc, p95, ttd,
                    falseAlarms, per));
        }
        Path dir = Path.of("target", "heldout-bench");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("tracker.txt"), out.toString(), StandardCharsets.UTF_8);
        System.out.print(out);
    }
}
