package io.fosm.drift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fosm.config.FosmConfig;
import io.fosm.generate.DriftMode;
import io.fosm.generate.GeneratorConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.lakehouse.Tables;
import io.fosm.models.FeatureSpace;
import io.fosm.models.ModelKind;
import io.fosm.models.TimeSplit;
import io.fosm.models.Trainer;
import io.fosm.models.Training;
import io.fosm.models.TrainingOptions;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drift reports on generated fibers: a reference profiled from one seed, then another seed whose second half has a
 * gain drift. The undrifted half must pass, the drifted half must be flagged; reports are idempotent per window.
 */
class DriftReportsTest {
    static final Instant T0 = Instant.ofEpochSecond(GeneratorConfig.DEFAULT_START_MICROS / 1_000_000L);
    static final double SECONDS = 60;
    static final double ONSET = 30;
    static FosmConfig lake;
    static ReferenceProfile reference;

    @BeforeAll
    static void lakehouses() {
        SparkSession spark = SparkTestSession.get();
        lake = DriftLakehouse.build("drift", 32, SECONDS, ONSET, List.of(
                new DriftLakehouse.Fiber("ref", 21, DriftMode.NONE), new DriftLakehouse.Fiber("gain", 22, DriftMode.GAIN)));
        reference = ReferenceProfile.build(spark, lake, "test:seed21", DriftLakehouse.gold(lake, "ref"),
                Training.features(lake), Optional.empty(), DriftReports.PREDICTION_COLUMN);
    }

    static Dataset<Row> between(String fiber, double fromSeconds, double toSeconds) {
        return DriftLakehouse.gold(lake, fiber).filter(col(Columns.WINDOW_START).geq(lit(Timestamp.from(T0.plusMillis(
                (long) (1000 * fromSeconds))))).and(col(Columns.WINDOW_START).lt(lit(Timestamp.from(T0.plusMillis(
                (long) (1000 * toSeconds)))))));
    }

    @Test
    void theProfileHasBinsAndASampleOfEveryFeatureAndRoundTrips() {
        List<String> features = Training.features(lake);
        assertEquals(features, reference.numeric().stream().map(ColumnProfile::name).toList());
        long rows = DriftLakehouse.gold(lake, "ref").count();
        for (ColumnProfile c : reference.numeric()) {
            assertEquals(rows, c.count() + c.invalidCount(), c.name());
            assertEquals(1.0, java.util.Arrays.stream(c.fractions()).sum(), 1e-9, c.name());
            assertEquals(Math.min(rows, lake.drift().sampleSize()), c.sample().length, c.name());
        }
        ColumnProfile power = reference.column(DriftKind.FEATURE, "total_power").orElseThrow();
        assertEquals(9, power.edges().length, "deciles of a continuous feature");

        ReferenceProfile back = ReferenceProfile.fromJson(reference.toJson());
        assertEquals(reference.toJson(), back.toJson());
        reference.save(SparkTestSession.get(), lake);
        reference.save(SparkTestSession.get(), lake);
        ReferenceProfile stored = ReferenceProfile.fromTable(SparkTestSession.get(), lake, "test:seed21")
                .orElseThrow();
        assertEquals(reference.columns().size(), stored.columns().size(), "saving twice keeps one profile");
        ColumnProfile storedPower = stored.column(DriftKind.FEATURE, "total_power").orElseThrow();
        assertArrayEquals(power.edges(), storedPower.edges());
        assertArrayEquals(power.sample(), storedPower.sample());
        assertEquals(reference.column(DriftKind.QUALITY, ReferenceProfile.DEAD_CHANNEL_FRACTION).orElseThrow().value(),
                stored.column(DriftKind.QUALITY, ReferenceProfile.DEAD_CHANNEL_FRACTION).orElseThrow().value());
    }

    @Test
    void anotherSeedPassesAndItsGainDriftIsFlagged() throws Exception {
        SparkSession spark = SparkTestSession.get();
        Instant w1 = T0;
        Instant w2 = T0.plusSeconds((long) ONSET);
        DriftReport before = DriftReports.run(spark, lake, between("gain", 0, ONSET - 1), reference, w1,
                w2, null);
        DriftReport after = DriftReports.run(spark, lake, between("gain", ONSET, SECONDS), reference, w2,
                T0.plusSeconds((long) SECONDS), null);
        System.out.println("undrifted other seed: flagged " + before.flagged());
        System.out.println("gain drift: flagged " + after.flagged());
        assertFalse(before.drifted(), "undrifted data of another seed: " + before.flagged());
        assertTrue(after.drifted(), "gain drift");
        ColumnDrift power = after.columns().stream().filter(c -> c.name().equals("total_power")).findFirst()
                .orElseThrow();
        assertTrue(power.flagged() && power.psi() > 1, "a x2.5 gain moves the power by 8 dB: PSI " + power.psi());
        assertEquals(1, after.consecutiveDrifted());

        // the flag file follows the latest window and names the report
        JsonNode flag = new ObjectMapper().readTree(Files.readString(Path.of(lake.drift().output(), "flag.json")));
        assertTrue(flag.get("drifted").asBoolean());
        assertEquals(w2.toString(), flag.get("report_start").asText());
        assertTrue(Files.isRegularFile(Path.of(flag.get("report_html").asText())));
        String html = Files.readString(Path.of(after.htmlPath()));
        assertTrue(html.contains("DRIFTED") && html.contains("<svg") && !html.contains("<script"), "self-contained");
        JsonNode json = new ObjectMapper().readTree(Files.readString(Path.of(after.jsonPath())));
        assertEquals(after.columns().size(), json.get("columns").size());

        // rerunning a window replaces its rows: one row per window x column
        DriftReports.run(spark, lake, between("gain", ONSET, SECONDS), reference, w2,
                T0.plusSeconds((long) SECONDS), null);
        Dataset<Row> table = spark.read().format("delta").load(Tables.DRIFT_REPORTS.path(lake));
        assertEquals(before.columns().size() + after.columns().size(), table.count());
        assertEquals(2, table.select(Columns.REPORT_START).distinct().count());
        long flaggedRows = table.filter(col(Columns.REPORT_START).equalTo(lit(Timestamp.from(w2))))
                .filter(col(Columns.FLAGGED)).count();
        assertEquals(after.flagged().size(), flaggedRows);
    }

    @Test
    void callerQualityCountsDriveTheQualityRows() {
        SparkSession spark = SparkTestSession.get();
        FosmConfig other = SparkTestSession.lakehouse("drift-quality");
        DriftReport r = DriftReports.run(spark, other, DriftLakehouse.gold(lake, "ref"), reference, T0,
                T0.plusSeconds(20), new QualityCounts(1000, 200, 16, 4));
        ColumnDrift invalid = r.columns().stream().filter(c -> c.name().equals(ReferenceProfile.INVALID_RATE))
                .findFirst().orElseThrow();
        assertEquals(0.2, invalid.value(), 1e-12);
        assertTrue(invalid.flagged(), "20% invalid against a clean reference");
        assertTrue(r.drifted(), "a quality drift makes the window drift");
        assertTrue(r.flagged().contains("quality:dead_channel_fraction"), r.flagged().toString());
        assertFalse(r.flagged().stream().anyMatch(f -> f.startsWith("feature:")),
                "the reference's own rows do not drift: " + r.flagged());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DriftReports.run(spark, other,
                between("ref", 0, 20).drop("total_power"), reference, T0, T0.plusSeconds(20), null));
        assertEquals("Cannot report drift against test:seed21: the current rows have no column total_power",
                e.getMessage());
    }

    @Test
    void theTrainingReferenceProfilesTheTrainingRangeAndTheModelsEventScore() {
        SparkSession spark = SparkTestSession.get();
        Dataset<Row> gold = spark.read().format("delta").load(Tables.GOLD_FEATURES.path(lake))
                .filter(col(Columns.LABEL).isNotNull());
        TimeSplit split = TimeSplit.plan(gold, 0.7, java.time.Duration.ofSeconds(1));
        Dataset<Row> train = split.train(gold);
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        for (Row r : train.groupBy(Columns.LABEL).count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        List<String> labels = List.copyOf(counts.keySet());
        List<String> features = Training.features(lake);
        Trainer.TrainedModel lr = Trainer.fit(ModelKind.LR, Trainer.withClassWeights(train, counts),
                split.evaluation(gold), new FeatureSpace(features),
                labels, new TrainingOptions(List.of(), 0.7, 0, false, 1, 42, 10, 1, 1, false, true));

        ReferenceProfile p = ReferenceProfile.forTraining(spark, lake, split, features, lr.model(), labels);
        long trainRows = counts.values().stream().mapToLong(Long::longValue).sum();
        for (String f : features) {
            ColumnProfile c = p.column(DriftKind.FEATURE, f).orElseThrow();
            assertEquals(trainRows, c.count() + c.invalidCount(), f + ": profiled over the training range");
        }
        ColumnProfile score = p.column(DriftKind.PREDICTION, DriftReports.PREDICTION_COLUMN).orElseThrow();
        assertEquals(split.evaluation(gold).count(), score.count(), "the prediction is profiled on the evaluation range");
        assertTrue(java.util.Arrays.stream(score.sample()).allMatch(v -> v >= 0 && v <= 1), "event scores are in [0, 1]");
        assertTrue(p.column(DriftKind.QUALITY, ReferenceProfile.INVALID_RATE).isPresent());

        // the stream's view: scored rows of a window get a prediction row in the report
        Dataset<Row> scored = io.fosm.models.Scoring.score(lr.model(), between("gain", ONSET, SECONDS), labels,
                Columns.BACKGROUND);
        DriftReport r = DriftReports.run(spark, SparkTestSession.lakehouse("drift-prediction"), scored, p,
                T0.plusSeconds((long) ONSET), T0.plusSeconds((long) SECONDS), null);
        ColumnDrift prediction = r.columns().stream().filter(c -> c.kind() == DriftKind.PREDICTION).findFirst()
                .orElseThrow();
        assertEquals(DriftReports.PREDICTION_COLUMN, prediction.name());
        assertNotNull(prediction.ksPvalue());
    }
}
