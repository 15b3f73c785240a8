package io.fosm.models;

import static org.junit.jupiter.api.Assertions.*;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.quality.QualityReport;
import io.fosm.quality.TrainingChecks;
import io.fosm.testing.LabelledLakehouse;
import io.fosm.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Models against labelled data: the time split, the zoo, save/reload, the XGBoost regression and the detectors. */
class ModelsTest {
    private static SparkSession spark;
    private static FosmConfig config;
    private static Dataset<Row> gold;
    private static TimeSplit split;
    private static Dataset<Row> train;
    private static Dataset<Row> eval;
    private static List<String> labels;
    private static FeatureSpace space;
    private static Dataset<Row> weighted;
    private static final TrainingOptions OPTIONS = new TrainingOptions(List.of(), 0.7, 0, false, 10, 42, 60, 2, 1, false, true);

    @BeforeAll
    static void data() {
        spark = SparkTestSession.get();
        config = LabelledLakehouse.get();
        gold = LabelledLakehouse.gold().filter(Columns.LABEL + " IS NOT NULL").cache();
        split = TimeSplit.plan(gold, 0.7, Duration.ofSeconds(1));
        // as fosm train with train.eval_collar (the default): every labelled window trains, clear ones evaluate
        train = split.train(gold).cache();
        eval = split.evaluation(Training.clearlyLabelled(gold)).cache();
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : train.groupBy(Columns.LABEL).count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        labels = List.copyOf(counts.keySet());
        space = new FeatureSpace(Training.features(config));
        weighted = Trainer.withClassWeights(train, counts).cache();
    }

    @Test
    void timeSplitLeavesAGapOfAtLeastOneWindowAndLosesNothingElse() {
        Row t = train.agg(org.apache.spark.sql.functions.max(Columns.WINDOW_END)).head();
        Row e = eval.agg(org.apache.spark.sql.functions.min(Columns.WINDOW_START)).head();
        Timestamp trainEnd = t.getTimestamp(0);
        Timestamp evalStart = e.getTimestamp(0);
        assertFalse(trainEnd.toInstant().isAfter(split.trainEnd()));
        assertFalse(evalStart.toInstant().isBefore(split.evalStart()));
        assertTrue(Duration.between(trainEnd.toInstant(), evalStart.toInstant()).toMillis() >= 1000,
                "no training window shares a sample with an evaluation window");
        long between = gold.count() - split.train(gold).count() - split.evaluation(gold).count();
        // only the windows overlapping the split point (1 s window, 0.5 s hop, 1 s gap) are left out, per channel
        assertTrue(between > 0 && between <= 5L * LabelledLakehouse.CHANNELS, "left out: " + between);
    }

    @Test
    void everyClassIsInTheTrainingRangeAndWeightsBalanceThem() {
        assertEquals(List.of("background", "digging", "leak", "pig", "vehicle", "walking"), labels);
        Map<String, Double> perClassWeight = new TreeMap<>();
        for (Row r : weighted.groupBy(Columns.LABEL).agg(org.apache.spark.sql.functions.sum(ModelKind.WEIGHT))
                .collectAsList()) {
            perClassWeight.put(r.getString(0), r.getDouble(1));
        }
        double n = train.count();
        for (double total : perClassWeight.values()) {
            assertEquals(n / labels.size(), total, 1e-6, "each class carries the same total weight");
        }
    }

    /**
     * Regression bars measured on this small fixed-seed fiber (docs/models.md): on the clearly labelled evaluation
     * windows macro-F1 0.887 (background 0.974, digging 0.905, leak 0.963, pig 0.900, vehicle 0.755, walking 0.827;
     * accuracy 0.956), on every evaluation window 0.856. Its 72 s evaluation range holds one or two events per class,
     * so one event decides a class's F1; the 0.9 is tested on the long fiber ({@link XgboostRegressionTest}).
     * The bars guard today's level class by class, with a margin for the run-to-run spread of two XGBoost workers.
     */
    @Test
    void xgboostKeepsItsHeldOutQualityClassByClass() {
        Trainer.TrainedModel m = Trainer.fit(ModelKind.XGBOOST, weighted, eval, space, labels, OPTIONS);
        String detail = "\n" + m.metrics().confusionText() + m.metrics().perClass();
        ClassificationMetrics everyWindow = ClassificationMetrics.evaluate(m.model(), split.evaluation(gold), labels);
        // the figures docs/models.md quotes (target/surefire-reports/*-output.txt)
        System.out.printf("xgboost, clearly labelled evaluation windows: macro-F1 %.4f accuracy %.4f %s%n",
                m.metrics().macroF1(), m.metrics().accuracy(), f1s(m.metrics()));
        System.out.printf("xgboost, every evaluation window: macro-F1 %.4f accuracy %.4f %s%n",
                everyWindow.macroF1(), everyWindow.accuracy(), f1s(everyWindow));
        m.metrics().perClass().forEach((c, pc) -> assertTrue(pc.support() > 0, c + " is in the held-out range"));
        Map<String, Double> bars = Map.of("background", 0.95, "digging", 0.83, "leak", 0.92, "pig", 0.85,
                "vehicle", 0.70, "walking", 0.75);
        bars.forEach((c, bar) -> assertTrue(m.metrics().perClass().get(c).f1() >= bar, c + " F1" + detail));
        assertTrue(m.metrics().macroF1() >= 0.85, "macro-F1 " + m.metrics().macroF1() + detail);
        assertTrue(m.metrics().accuracy() >= 0.93, "accuracy " + m.metrics().accuracy() + detail);
        assertTrue(everyWindow.macroF1() >= 0.80, "macro-F1 on every window " + everyWindow.macroF1());
        assertTrue(everyWindow.macroF1() < m.metrics().macroF1(), "the ambiguous windows are the harder ones");
    }

    private static Map<String, String> f1s(ClassificationMetrics metrics) {
        Map<String, String> out = new TreeMap<>();
        metrics.perClass().forEach((c, pc) -> out.put(c, String.format(java.util.Locale.ROOT, "%.3f", pc.f1())));
        return out;
    }

    @Test
    void everyModelKindPredictsTheSameAfterSaveAndReload() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "models");
        Dataset<Row> sample = eval.limit(400).cache();
        for (ModelKind kind : ModelKind.values()) {
            Trainer.TrainedModel m = Trainer.fit(kind, weighted, sample, space, labels, OPTIONS);
            String path = dir.resolve(kind.modelName()).toString();
            m.model().write().overwrite().save(path);
            PipelineModel loaded = XgboostModels.load(path);
            Dataset<Row> before = Scoring.score(m.model(), sample, labels, Columns.BACKGROUND)
                    .select(Columns.CHANNEL, Columns.WINDOW_START, Scoring.PREDICTED_LABEL, Scoring.EVENT_SCORE);
            Dataset<Row> after = Scoring.score(loaded, sample, labels, Columns.BACKGROUND)
                    .select(Columns.CHANNEL, Columns.WINDOW_START, Scoring.PREDICTED_LABEL, Scoring.EVENT_SCORE);
            assertEquals(400, before.count());
            assertEquals(0, before.except(after).count(), kind + ": predictions differ after reload");
            assertEquals(0, after.except(before).count(), kind + ": predictions differ after reload");
        }
    }

    @Test
    void theXgboostReloadBugIsRealAndRepaired() throws Exception {
        Trainer.TrainedModel m = Trainer.fit(ModelKind.XGBOOST, weighted, eval.limit(100), space, labels, OPTIONS);
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "xgb");
        m.model().write().overwrite().save(dir.toString());
        PipelineModel raw = PipelineModel.load(dir.toString());
        XGBoostClassificationModel broken = (XGBoostClassificationModel) raw.stages()[raw.stages().length - 1];
        assertEquals(2, broken.numClasses(), "xgboost4j-spark 3.2 reloads a multi-class model as binary");
        PipelineModel repaired = XgboostModels.repair(raw);
        XGBoostClassificationModel fixed = (XGBoostClassificationModel) repaired.stages()[repaired.stages().length - 1];
        assertEquals(labels.size(), fixed.numClasses());
    }

    @Test
    void anomalyDetectorsTrainedOnBackgroundFindEvents() {
        for (AnomalyDetectors.Result r : AnomalyDetectors.trainAndEvaluate(train, eval, space, 42)) {
            assertTrue(r.rocAuc() > 0.7, r.name() + " event-vs-background ROC-AUC " + r.rocAuc());
        }
    }

    @Test
    void theIsolationForestTrainsOnFewerBackgroundWindowsThanItsTreesSample() {
        // a small lakehouse with most background next to events: fewer background windows than the 256 a tree samples
        Dataset<Row> few = train.filter(Columns.LABEL + " = 'background'").limit(60)
                .union(train.filter(Columns.LABEL + " <> 'background'"));
        List<AnomalyDetectors.Result> results = AnomalyDetectors.trainAndEvaluate(few, eval, space, 42);
        AnomalyDetectors.Result forest = results.get(0);
        assertEquals("isolation_forest", forest.name());
        assertEquals(60, forest.trainRows());
        assertEquals("60", forest.params().get("max_samples"));
        assertTrue(forest.rocAuc() > 0.6, "still finds events: ROC-AUC " + forest.rocAuc());
    }

    @Test
    void trainingGateRefusesAMissingClassAndNonFiniteFeatures() {
        QualityReport ok = TrainingChecks.audit(train, Training.features(config), labels, 10, 1000);
        assertTrue(ok.passed(), ok.render());
        QualityReport missing = TrainingChecks.audit(train, Training.features(config),
                List.of("background", "leak", "earthquake"), 10, 1000);
        assertFalse(missing.passed());
        assertEquals(List.of("at least 10 windows of class earthquake"),
                missing.failures().stream().map(QualityReport.Finding::rule).toList());
        Dataset<Row> broken = train.withColumn("spectral_entropy", org.apache.spark.sql.functions.lit(1.5));
        QualityReport range = TrainingChecks.audit(broken, Training.features(config), labels, 10, 1000);
        assertEquals(List.of("spectral_entropy: spectral_entropy BETWEEN 0 AND 1.000001"),
                range.failures().stream().map(QualityReport.Finding::rule).toList());
    }
}
