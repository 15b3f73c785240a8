package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;
import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.drift.DriftReport;
import io.fosm.drift.ReferenceProfile;
import io.fosm.generate.DriftMode;
import io.fosm.generate.FiberSimulator;
import io.fosm.generate.GeneratorConfig;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Gold;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Training;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;

/**
 * The stream's drift reports: a feed whose gain jumps x2.5 at 20 s, against the champion's reference profile of the
 * undrifted first 20 s. Each closed 10 s report window after the context warm-up is reported once, the drifted one
 * is flagged and the flag file says so; windows still open when the feed ends are not reported.
 */
class StreamDriftTest {
    private final SparkSession spark = SparkTestSession.get();

    @Test
    void closedReportWindowsAreComparedWithTheChampionsProfile() throws Exception {
        String model = StreamModelFixture.freshName("fosm-stream-drift");
        FosmConfig config = SparkTestSession.lakehouse("stream-drift", "fibers=demo", "fiber.demo.channels=8",
                "stream.files.path=${landing.path}", "stream.max_per_trigger=5", "stream.watermark_seconds=2",
                "stream.model_check_seconds=3600", "drift.report_window_seconds=10", "gold.baseline_windows=8", "mlflow.model_name=" + model,
                "mlflow.tracking_uri=" + StreamModelFixture.trackingUri());
        new FiberSimulator(GeneratorConfig.builder().output(config.lakehouseRoot()).fiberId(StreamFixtures.FIBER)
                .channels(8).durationSeconds(40).fileSeconds(1).seed(21).eventRatePerMinute(0)
                .driftMode(DriftMode.GAIN).driftOnsetSeconds(20).build()).run();
        StreamFixtures.orderModificationTimes(Path.of(config.landingPath()), 0);

        // the champion and its reference profile: gold of the undrifted first 20 s (as training would store it)
        Bronze.run(spark, config);
        spark.read().format("delta").load(Tables.BRONZE.path(config)).write().format("delta")
                .partitionBy(FIBER_ID, EVENT_DATE).save(Tables.SILVER.path(config));
        Gold.run(spark, config, Optional.empty());
        Timestamp onset = Timestamp.from(Instant.parse("2026-01-01T00:00:20Z"));
        Dataset<Row> undrifted = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(config))
                .filter(col(WINDOW_END).leq(lit(onset)));
        String version = StreamModelFixture.register(model);
        StreamModelFixture.alias(model, "champion", version);
        ReferenceProfile.build(spark, config, "models:/" + model + "/" + version, undrifted,
                Training.features(config), Optional.empty(), null).save(spark, config);

        List<DriftReport> reports = new ArrayList<>();
        StreamingQuery query = StreamingScorer.start(spark, config, Trigger.AvailableNow(),
                List.of(new StreamDrift(spark, config, reports::add)));
        query.awaitTermination();
        assertTrue(query.exception().isEmpty(), () -> "the stream failed: " + query.exception());

        // [0, 10) holds the warm-up of the power baseline (8 windows): not reported; 40 s of feed: the windows of
        // [30, 40) are not all scored when the feed ends, so that report stays open
        assertEquals(List.of("2026-01-01T00:00:10Z", "2026-01-01T00:00:20Z"),
                reports.stream().map(r -> r.reportStart().toString()).toList());
        assertFalse(reports.get(0).drifted(), () -> "undrifted window flagged: " + reports.get(0).flagged());
        assertTrue(reports.get(1).drifted(), "the x2.5 gain from 20 s on is flagged");
        assertTrue(reports.get(1).flagged().contains("feature:rms"), () -> "flagged: " + reports.get(1).flagged());

        Dataset<Row> rows = spark.read().format("delta").load(Tables.DRIFT_REPORTS.path(config));
        assertEquals(2, rows.select(REPORT_START).distinct().count(), "one report per closed window in drift_reports");
        assertEquals(1, rows.filter(col(WINDOW_DRIFTED)).select(REPORT_START).distinct().count());
        String flag = Files.readString(Path.of(config.drift().output().replaceFirst("^file:", ""), "flag.json"));
        assertTrue(flag.replace(" ", "").contains("\"drifted\":true"), flag);
        assertTrue(Files.exists(Path.of(reports.get(1).htmlPath().replaceFirst("^file:", ""))), "the HTML report is written");
    }
}
