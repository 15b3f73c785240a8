package io.fosm.drift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Columns;
import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.Schemas;
import io.fosm.lakehouse.Tables;
import io.fosm.registry.ModelRegistry;
import io.fosm.registry.ModelVersion;
import io.fosm.registry.MlflowTracking;
import io.fosm.spark.Sessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * What "normal" looks like for a model: per feature (and for the prediction {@code event_score}) the reference's
 * quantile bins and a bounded sample, plus the reference's data-quality values. Built from the training range at
 * training time, stored with the model in MLflow ({@link #ARTIFACT}) and in the {@code drift_reference} Delta table;
 * {@link #load} gets it back by model alias.
 *
 * @param reference  what the profile describes: {@code models:/<name>/<version>}, {@code runs:/<runId>} before
 *                   registration, or a table path ({@code fosm drift --reference})
 */
public record ReferenceProfile(String reference, String modelName, String modelVersion, String runId,
                               Instant createdAt, List<ColumnProfile> columns) {
    /** The MLflow artifact of the profile in the model's run. */
    public static final String ARTIFACT = "drift/reference.json";
    public static final String INVALID_RATE = "invalid_rate";
    public static final String DEAD_CHANNEL_FRACTION = "dead_channel_fraction";
    private static final ObjectMapper JSON = new ObjectMapper();

    public ReferenceProfile {
        columns = List.copyOf(columns);
    }

    /** The profile of a model version: reference {@code models:/<name>/<version>}. */
    public ReferenceProfile forModel(String name, String version, String run) {
        return new ReferenceProfile("models:/" + name + "/" + version, name, version, run, createdAt, columns);
    }

    /** The profile as logged with a run before it is registered: reference {@code runs:/<runId>}. */
    public ReferenceProfile forRun(String run) {
        return new ReferenceProfile("runs:/" + run, modelName, modelVersion, run, createdAt, columns);
    }

    /**
     * The reference of a training run: the features of the training range, and the prediction ({@code event_score})
     * of {@code model} over the evaluation range (held out, so it looks like what the model will see in service).
     * Reads gold at its current version; training passes the version it trained on to the other overload.
     */
    public static ReferenceProfile forTraining(SparkSession spark, FosmConfig config, io.fosm.models.TimeSplit split,
                                               List<String> features, org.apache.spark.ml.PipelineModel model,
                                               List<String> labels) {
        return forTraining(spark, config, split, features, model, labels,
                Delta.pinnedInput(spark, config, Tables.GOLD_FEATURES, Optional.empty(), "train", "gold").version());
    }

    /** {@link #forTraining} on gold as of {@code goldVersion} (the version the models were trained on). */
    public static ReferenceProfile forTraining(SparkSession spark, FosmConfig config, io.fosm.models.TimeSplit split,
                                               List<String> features, org.apache.spark.ml.PipelineModel model,
                                               List<String> labels, long goldVersion) {
        Dataset<Row> gold = Delta.at(spark, Tables.GOLD_FEATURES.path(config), goldVersion)
                .filter(col(Columns.LABEL).isNotNull());
        if (!config.train().heldoutFibers().isEmpty()) {
            // the reference is what the model learned from: the held-out fibers never trained
            gold = gold.filter(org.apache.spark.sql.functions.not(col(Columns.FIBER_ID)
                    .isin(config.train().heldoutFibers().toArray())));
        }
        Dataset<Row> scored = io.fosm.models.Scoring.score(model, split.evaluation(gold), labels, Columns.BACKGROUND);
        return build(spark, config, "training", split.train(gold), features, Optional.of(scored),
                DriftReports.PREDICTION_COLUMN);
    }

    /** The numeric columns (features and prediction), in profile order. */
    public List<ColumnProfile> numeric() {
        return columns.stream().filter(c -> c.kind() != DriftKind.QUALITY).toList();
    }

    /** A column by kind and name. */
    public Optional<ColumnProfile> column(DriftKind kind, String name) {
        return columns.stream().filter(c -> c.kind() == kind && c.name().equals(name)).findFirst();
    }

    /**
     * Profiles gold-like rows: every column of {@code features}, the {@code predictionColumn} when present in
     * {@code predictions} (which may be other rows, e.g. the evaluation range's scores), and the data quality
     * ({@code drift.dead_channel_power}). Costs: two passes over {@code rows} (sample, bin counts), one over the
     * predictions, one small grouping by channel.
     */
    public static ReferenceProfile build(SparkSession spark, FosmConfig config, String reference, Dataset<Row> rows,
                                         List<String> features, Optional<Dataset<Row>> predictions,
                                         String predictionColumn) {
        FosmConfig.Drift d = config.drift();
        List<String> present = Arrays.asList(rows.columns());
        Map<String, DriftKind> kinds = new LinkedHashMap<>();
        for (String f : features) {
            if (!present.contains(f)) {
                throw new IllegalArgumentException("Cannot profile " + reference + ": it has no column " + f
                        + " (columns: " + present + ")");
            }
            kinds.put(f, DriftKind.FEATURE);
        }
        Sessions.describe(spark, "fosm-drift", "drift: reference profile of " + reference);
        List<ColumnProfile> columns = new ArrayList<>(Profiler.profile(rows, kinds, d.bins(), d.sampleSize()));
        if (predictions.isPresent() && Arrays.asList(predictions.get().columns()).contains(predictionColumn)) {
            columns.addAll(Profiler.profile(predictions.get(), Map.of(predictionColumn, DriftKind.PREDICTION),
                    d.bins(), d.sampleSize()));
        }
        QualityCounts q = Profiler.quality(rows, features, d.deadChannelPower());
        columns.add(ColumnProfile.quality(INVALID_RATE, q.invalidRate()));
        columns.add(ColumnProfile.quality(DEAD_CHANNEL_FRACTION, q.deadChannelFraction()));
        return new ReferenceProfile(reference, null, null, null, Instant.now(), columns);
    }

    /** The profile as JSON (the MLflow artifact). */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("reference", reference);
        root.put("model_name", modelName);
        root.put("model_version", modelVersion);
        root.put("run_id", runId);
        root.put("created_at", createdAt.toString());
        ArrayNode cols = root.putArray("columns");
        for (ColumnProfile c : columns) {
            ObjectNode n = cols.addObject();
            n.put("kind", c.kind().label());
            n.put("name", c.name());
            n.put("count", c.count());
            n.put("invalid_count", c.invalidCount());
            array(n.putArray("edges"), c.edges());
            array(n.putArray("fractions"), c.fractions());
            array(n.putArray("sample"), c.sample());
            if (c.value() != null) {
                n.put("value", c.value());
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void array(ArrayNode node, double[] values) {
        for (double v : values) {
            node.add(v);
        }
    }

    /** Reads {@link #toJson()}; a malformed document is an error naming what is missing. */
    public static ReferenceProfile fromJson(String json) {
        try {
            JsonNode root = JSON.readTree(json);
            List<ColumnProfile> columns = new ArrayList<>();
            for (JsonNode n : required(root, "columns")) {
                columns.add(new ColumnProfile(DriftKind.of(required(n, "kind").asText()), required(n, "name").asText(),
                        required(n, "count").asLong(), required(n, "invalid_count").asLong(),
                        doubles(required(n, "edges")), doubles(required(n, "fractions")),
                        doubles(required(n, "sample")), n.hasNonNull("value") ? n.get("value").asDouble() : null));
            }
            return new ReferenceProfile(required(root, "reference").asText(), text(root, "model_name"),
                    text(root, "model_version"), text(root, "run_id"),
                    Instant.parse(required(root, "created_at").asText()), columns);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read a reference profile: not JSON (" + e.getMessage() + ")");
        }
    }

    private static JsonNode required(JsonNode n, String field) {
        if (!n.hasNonNull(field)) {
            throw new IllegalArgumentException("Cannot read a reference profile: field '" + field + "' is missing");
        }
        return n.get(field);
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    /** Writes the profile into {@code drift_reference}, replacing an earlier profile of the same reference. */
    public void save(SparkSession spark, FosmConfig config) {
        List<Row> rows = new ArrayList<>();
        Timestamp created = Timestamp.from(createdAt);
        for (ColumnProfile c : columns) {
            rows.add(RowFactory.create(reference, modelName, modelVersion, runId, created, c.kind().label(), c.name(),
                    c.count(), c.invalidCount(), boxed(c.edges()), boxed(c.fractions()), boxed(c.sample()),
                    c.value()));
        }
        Sessions.describe(spark, "fosm-drift", "drift: save the reference profile of " + reference);
        String path = Tables.DRIFT_REFERENCE.path(config);
        // one profile per reference: a retrained version or a rerun replaces exactly its own rows
        spark.createDataFrame(rows, Schemas.DRIFT_REFERENCE).repartition(1).write().format("delta").mode("overwrite")
                .option("replaceWhere", Columns.REFERENCE + " = '" + reference.replace("'", "''") + "'")
                .save(path);
    }

    private static List<Double> boxed(double[] v) {
        return Arrays.stream(v).boxed().toList();
    }

    /** Reads the profile of {@code reference} from {@code drift_reference}, if there is one. */
    public static Optional<ReferenceProfile> fromTable(SparkSession spark, FosmConfig config, String reference) {
        String path = Tables.DRIFT_REFERENCE.path(config);
        if (!Delta.exists(spark, path)) {
            return Optional.empty();
        }
        List<Row> rows = spark.read().format("delta").load(path).filter(col(Columns.REFERENCE).equalTo(lit(reference)))
                .collectAsList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        List<ColumnProfile> columns = new ArrayList<>();
        Row first = rows.get(0);
        for (Row r : rows) {
            columns.add(new ColumnProfile(DriftKind.of(r.getAs(Columns.KIND)), r.getAs(Columns.FEATURE),
                    r.<Long>getAs(Columns.VALUE_COUNT), r.<Long>getAs(Columns.INVALID_COUNT),
                    unboxed(r.getList(r.fieldIndex(Columns.BIN_EDGES))),
                    unboxed(r.getList(r.fieldIndex(Columns.BIN_FRACTIONS))),
                    unboxed(r.getList(r.fieldIndex(Columns.SAMPLE))), r.getAs(Columns.VALUE)));
        }
        // the table does not keep row order: features first in name order is stable, which is all reports need
        columns.sort((a, b) -> a.kind() != b.kind() ? a.kind().compareTo(b.kind()) : a.name().compareTo(b.name()));
        return Optional.of(new ReferenceProfile(reference, first.getAs(Columns.MODEL_NAME),
                first.getAs(Columns.MODEL_VERSION), first.getAs(Columns.RUN_ID),
                first.<Timestamp>getAs(Columns.CREATED_AT).toInstant(), columns));
    }

    private static double[] unboxed(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The profile of the version of {@code mlflow.model_name} that holds {@code alias} (e.g. champion): from
     * {@code drift_reference} when it is there, else the version run's MLflow artifact {@link #ARTIFACT}.
     */
    public static ReferenceProfile load(SparkSession spark, FosmConfig config, String alias) {
        String model = config.mlflow().modelName();
        ModelRegistry registry = MlflowTracking.connect(config.mlflow().trackingUri()).registry();
        ModelVersion version = registry.byAlias(model, alias).orElseThrow(() -> new IllegalStateException(
                "Cannot load the reference profile: registered model " + model + " has no alias '" + alias + "'"));
        String reference = "models:/" + model + "/" + version.version();
        Optional<ReferenceProfile> stored = fromTable(spark, config, reference);
        if (stored.isPresent()) {
            return stored.get();
        }
        Path file;
        try {
            file = registry.download("runs:/" + version.runId() + "/" + ARTIFACT);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Cannot load the reference profile of " + reference + ": neither "
                    + Tables.DRIFT_REFERENCE.tableName() + " nor the run's artifact " + ARTIFACT + " has it ("
                    + e.getMessage() + "); retrain with this release to store one");
        }
        try {
            return fromJson(Files.readString(file)).forModel(model, version.version(), version.runId());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the reference profile " + file + ": " + e.getMessage());
        }
    }
}
