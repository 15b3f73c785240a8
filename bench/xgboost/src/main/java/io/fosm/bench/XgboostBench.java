package io.fosm.bench;

import static io.fosm.lakehouse.Columns.LABEL;
import static org.apache.spark.sql.functions.col;

import io.fosm.lakehouse.Columns;
import io.fosm.models.FeatureSpace;
import io.fosm.models.ModelKind;
import io.fosm.models.TimeSplit;
import io.fosm.models.Trainer;
import io.fosm.models.Training;
import io.fosm.models.TrainingOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Spark side of the XGBoost benchmark: splits a gold_features table by time exactly as {@code fosm train} does,
 * exports both ranges to Parquet (the Python peer reads the same files), reads them back and trains the zoo's XGBoost
 * ({@link ModelKind#XGBOOST}, same pipeline and class weights as training) on the exported training range, timed, then
 * evaluates macro-F1 on the exported evaluation range. Writes {@code spark.json} into the output folder.
 *
 * <p>usage: {@code spark-submit --class io.fosm.bench.XgboostBench --jars fosm-jobs-all.jar bench.jar GOLD_PATH OUT
 * ROUNDS WORKERS SEED}
 */
public final class XgboostBench {
    private XgboostBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: XgboostBench GOLD_PATH OUT ROUNDS WORKERS SEED");
        }
        String goldPath = args[0];
        Path out = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int workers = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        SparkSession spark = SparkSession.builder().appName("fosm bench: xgboost").getOrCreate();

        Dataset<Row> gold = spark.read().format("delta").load(goldPath).filter(col(LABEL).isNotNull());
        List<String> features = new ArrayList<>();
        for (String c : gold.columns()) {
            if (!List.of(Columns.FIBER_ID, Columns.CHANNEL, Columns.WINDOW_START, Columns.WINDOW_END,
                    Columns.SAMPLE_RATE, Columns.EVENT_DATE, Columns.LABEL, Columns.EVENT_ID).contains(c)) {
                features.add(c);
            }
        }
        List<Column> keep = new ArrayList<>();
        features.forEach(f -> keep.add(col(f)));
        keep.add(col(LABEL));
        TimeSplit split = TimeSplit.plan(gold, 0.7, Duration.ofSeconds(1));
        String trainPath = out.resolve("train.parquet").toString();
        String evalPath = out.resolve("eval.parquet").toString();
        // as fosm train: every labelled window trains, label_ambiguous windows are left out of the evaluation
        split.train(gold).select(keep.toArray(new Column[0])).write().mode("overwrite").parquet(trainPath);
        split.evaluation(Training.clearlyLabelled(gold)).select(keep.toArray(new Column[0])).write().mode("overwrite").parquet(evalPath);

        Dataset<Row> train = spark.read().parquet(trainPath).cache();
        Dataset<Row> eval = spark.read().parquet(evalPath).cache();
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : train.groupBy(LABEL).count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        long evalRows = eval.count();
        Dataset<Row> weighted = Trainer.withClassWeights(train, counts).cache();
        weighted.count();
        TrainingOptions options = new TrainingOptions(List.of(ModelKind.XGBOOST), 0.7, 0, false, 1, seed, rounds,
                workers, Integer.parseInt(spark.conf().get("spark.task.cpus", "1")), false, true);
        long t0 = System.nanoTime();
        Trainer.TrainedModel model = Trainer.fit(ModelKind.XGBOOST, weighted, eval, new FeatureSpace(features),
                List.copyOf(counts.keySet()), options);
        double wall = (System.nanoTime() - t0) / 1e9;

        StringBuilder json = new StringBuilder("{");
        json.append(String.format(Locale.ROOT, "\"train_rows\": %d, \"eval_rows\": %d, \"features\": %d, ",
                counts.values().stream().mapToLong(Long::longValue).sum(), evalRows, features.size()));
        json.append(String.format(Locale.ROOT, "\"fit_seconds\": %.3f, \"fit_and_evaluate_seconds\": %.3f, ",
                model.trainSeconds(), wall));
        json.append(String.format(Locale.ROOT, "\"macro_f1\": %.6f, \"accuracy\": %.6f, \"per_class_f1\": {",
                model.metrics().macroF1(), model.metrics().accuracy()));
        String sep = "";
        for (Map.Entry<String, io.fosm.models.ClassificationMetrics.PerClass> e
                : new TreeMap<>(model.metrics().perClass()).entrySet()) {
            json.append(sep).append(String.format(Locale.ROOT, "\"%s\": %.6f", e.getKey(), e.getValue().f1()));
            sep = ", ";
        }
        json.append("}, \"split\": \"").append(split.describe()).append("\"}\n");
        Files.writeString(out.resolve("spark.json"), json.toString(), StandardCharsets.UTF_8);
        System.out.print(json);
        spark.stop();
    }
}
