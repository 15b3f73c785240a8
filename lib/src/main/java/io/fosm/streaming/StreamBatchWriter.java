package io.fosm.streaming;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;

import io.fosm.config.FiberSpec;
import io.fosm.config.FosmConfig;
import io.fosm.dsp.FeatureConfig;
import io.fosm.dsp.FeatureExtractor;
import io.fosm.dsp.WindowStitcher;
import io.fosm.incidents.IncidentRows;
import io.fosm.incidents.IncidentTracker;
import io.fosm.incidents.ScoredWindowReplay;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.FiberFeatures;
import io.fosm.lakehouse.FiberRoutes;
import io.fosm.lakehouse.Gold;
import io.fosm.lakehouse.Schemas;
import io.fosm.lakehouse.Tables;
import io.fosm.models.Scoring;
import io.fosm.reliability.FaultPoints;
import io.fosm.spark.Sessions;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code foreachBatch} body of the stream: scores the micro-batch's final windows and writes every output of the
 * batch exactly once.
 *
 * <p>Every Delta write carries {@code txnAppId} (derived from the checkpoint location, so a new checkpoint is a new
 * writer) and {@code txnVersion} = the batch id: when Spark replays a batch after a crash, Delta skips the writes
 * that already committed. The incident tracker's state is read as of the previous batch and written with the same
 * transaction id, so a replayed batch computes the same incidents. Kafka topics (alerts, dead letters) are written
 * at least once: a crash between the Kafka write and the batch commit repeats the messages; alerts are keyed by
 * {@code incident_id} and carry {@code update_seq}, so a consumer (or a compacted topic) keeps each incident's latest
 * state and a repeat changes nothing.
 */
public final class StreamBatchWriter implements VoidFunction2<Dataset<StreamRow>, Long> {
    private static final long serialVersionUID = 1L;

    /**
     * What one micro-batch did, for metrics and drift hooks; {@code phaseMillis} is the wall time of each phase of the
     * batch body in order (the state stages run inside the first, "score": they feed the scoring job).
     */
    public record BatchSummary(long batchId, long windows, Map<String, Long> deadLettersByReason,
                               List<IncidentTracker.Incident> incidents, Optional<String> championVersion,
                               Optional<Timestamp> minWindowEnd, Optional<Timestamp> maxWindowEnd, Timestamp scoredAt,
                               Dataset<Row> scored, List<IncidentTracker.Incident> opened,
                               Map<String, Long> phaseMillis) {}

    private final FosmConfig config;
    private final ModelWatch champion;
    private final ModelWatch challenger;
    private final List<Consumer<BatchSummary>> hooks;
    private final String appId;
    private final FiberFeatures perFiber;
    private final FiberRoutes routes;
    /** Window and hop of the incident tracker (one per stream: the first fiber's; equal in seconds by default). */
    private final FeatureConfig features;
    /**
     * The incident tracker's state as this writer last wrote (or found) it: the tracker of the next batch starts
     * from it instead of reading stream_incident_state back (a Delta read per batch). This writer sees every batch of
     * its query in order, so it is the latest state below any later batch; a restarted query gets a new writer,
     * which reads the table once. Kept with the batch that left it: a replay of that batch or an earlier one (the
     * batch failed after its state was kept) reads the table instead, as a new writer would.
     */
    private transient byte[] trackerState;
    private transient long trackerStateBatch = -1;

    StreamBatchWriter(FosmConfig config, ModelWatch champion, ModelWatch challenger, List<Consumer<BatchSummary>> hooks,
                      FiberRoutes routes) {
        this.config = config;
        this.champion = champion;
        this.challenger = challenger;
        this.hooks = hooks;
        this.appId = "fosm-stream-" + UUID.nameUUIDFromBytes(config.stream().checkpoint().getBytes(StandardCharsets.UTF_8));
        this.perFiber = FiberFeatures.of(config);
        this.routes = routes;
        this.features = perFiber.forFiber(config.fibers().keySet().iterator().next());
    }

    @Override
    public void call(Dataset<StreamRow> batch, Long batchId) {
        SparkSession spark = batch.sparkSession();
        Timestamp now = Timestamp.from(Instant.now());
        Map<String, Long> phases = new java.util.LinkedHashMap<>();
        long[] mark = {System.nanoTime()};
        java.util.function.Consumer<String> phase = name -> {
            long t = System.nanoTime();
            phases.merge(name, (t - mark[0]) / 1_000_000, Long::sum);
            mark[0] = t;
        };
        batch.persist();
        try {
            Sessions.describe(spark, "fosm-stream", "stream batch " + batchId + ": score and write");
            Dataset<Row> windows = featureRows(batch.filter((org.apache.spark.api.java.function.FilterFunction<StreamRow>)
                    r -> StreamRow.WINDOW.equals(r.getKind())));
            Optional<ModelWatch.Loaded> model = champion.get();
            Dataset<Row> scored = score(windows, model, now, batchId).persist();
            Row range = scored.agg(count(lit(1)), min(WINDOW_END), max(WINDOW_END)).first();
            phase.accept("score");
            // an empty output needs no commit: skipping it is as idempotent as writing it
            if (range.getLong(0) > 0) {
                write(scored, Tables.STREAM_SCORES, batchId, FIBER_ID, EVENT_DATE);
            }
            phase.accept("write_scores");

            Dataset<Row> dead = deadLetters(batch, now, batchId).persist();
            Map<String, Long> deadByReason = new TreeMap<>();
            for (Row r : dead.groupBy(REASON).count().collectAsList()) {
                deadByReason.put(r.getString(0), r.getLong(1));
            }
            if (!deadByReason.isEmpty()) {
                write(dead, Tables.STREAM_DEAD_LETTER, batchId);
            }
            phase.accept("dead_letters");

            List<IncidentTracker.Incident> updates = range.getLong(0) == 0 ? List.of()
                    : incidents(spark, scored, model, batchId, now);
            List<IncidentTracker.Incident> incidents = IncidentRows.latest(updates);
            // an incident's first state (update_seq 1) is its opening
            List<IncidentTracker.Incident> opened = updates.stream().filter(i -> i.updateSeq() == 1).toList();
            phase.accept("incidents");
            publish(spark, dead, deadByReason.isEmpty(), incidents, batchId);
            phase.accept("publish");

            BatchSummary summary = new BatchSummary(batchId, range.getLong(0), deadByReason, incidents,
                    model.map(m -> m.version().version()), Optional.ofNullable(range.getTimestamp(1)),
                    Optional.ofNullable(range.getTimestamp(2)), now, scored, opened,
                    java.util.Collections.unmodifiableMap(phases));
            for (Consumer<BatchSummary> hook : hooks) {
                hook.accept(summary);
            }
            // every output of the batch is written, Spark has not yet committed the batch: a restart replays it
            FaultPoints.reached("stream.after_batch_write");
            dead.unpersist();
            scored.unpersist();
        } finally {
            batch.unpersist();
        }
    }

    /** Window rows in gold's table layout (keys, DSP features, context features). */
    Dataset<Row> featureRows(Dataset<StreamRow> windows) {
        StructType schema = Gold.windowSchema(perFiber);
        for (String c : MOTION_FEATURES) {
            schema = schema.add(c, DataTypes.DoubleType, false);
        }
        schema = schema.add(SPATIAL_POWER_RATIO, DataTypes.DoubleType, false);
        FiberFeatures layout = perFiber;
        return windows.map((MapFunction<StreamRow, Row>) r -> {
            // the stream's window rows carry the fiber's DSP features, the temporal context then the motion: split them
            FeatureConfig f = layout.forFiber(r.getFiberId());
            int dsp = FeatureExtractor.featureNames(f).length;
            double[] all = r.getFeatures();
            double[] context = java.util.Arrays.copyOfRange(all, dsp, all.length + 1);
            context[context.length - 1] = r.getSpatial();
            return Gold.windowRow(r.getFiberId(), r.getChannel(), r.getWindowStart(), f.windowSamples(),
                    f.sampleRate(), layout.toColumns(r.getFiberId(), java.util.Arrays.copyOf(all, dsp)), context);
        }, Encoders.row(schema)).select(Gold.tableOrder(perFiber.columns()));
    }

    /** Champion (and shadow challenger) scores; without a champion the windows are kept, unscored. */
    private Dataset<Row> score(Dataset<Row> windows, Optional<ModelWatch.Loaded> model, Timestamp now, long batchId) {
        List<Column> keep = new ArrayList<>();
        for (String c : windows.columns()) {
            keep.add(col(c));
        }
        Dataset<Row> out;
        if (model.isPresent()) {
            ModelWatch.Loaded m = model.get();
            List<Column> cols = new ArrayList<>(keep);
            cols.add(col(Scoring.PREDICTED_LABEL));
            cols.add(col(Scoring.EVENT_SCORE));
            cols.add(col(Scoring.PROBABILITIES));
            cols.add(col(ANOMALY_SCORE));
            cols.add(col(ANOMALOUS));
            cols.add(lit(String.join(",", m.classes())).as(CLASSES));
            cols.add(lit(m.version().name()).as(MODEL_NAME));
            cols.add(lit(m.version().version()).as(MODEL_VERSION));
            out = Scoring.score(m.model(), m.anomaly(), windows, m.classes(), BACKGROUND)
                    .select(cols.toArray(new Column[0]));
        } else {
            out = windows.withColumn(Scoring.PREDICTED_LABEL, lit(null).cast(DataTypes.StringType))
                    .withColumn(Scoring.EVENT_SCORE, lit(null).cast(DataTypes.DoubleType))
                    .withColumn(Scoring.PROBABILITIES, lit(null).cast(DataTypes.createArrayType(DataTypes.DoubleType)))
                    .withColumn(ANOMALY_SCORE, lit(null).cast(DataTypes.DoubleType))
                    .withColumn(ANOMALOUS, lit(null).cast(DataTypes.BooleanType))
                    .withColumn(CLASSES, lit(null).cast(DataTypes.StringType))
                    .withColumn(MODEL_NAME, lit(null).cast(DataTypes.StringType))
                    .withColumn(MODEL_VERSION, lit(null).cast(DataTypes.StringType));
        }
        Optional<ModelWatch.Loaded> shadow = challenger == null ? Optional.empty() : challenger.get();
        String p = CHALLENGER_PREFIX;
        if (shadow.isPresent()) {
            ModelWatch.Loaded c = shadow.get();
            List<Column> cols = new ArrayList<>();
            for (String name : out.columns()) {
                cols.add(col(name));
            }
            cols.add(col(Scoring.PREDICTED_LABEL + "_c").as(p + Scoring.PREDICTED_LABEL));
            cols.add(col(Scoring.EVENT_SCORE + "_c").as(p + Scoring.EVENT_SCORE));
            cols.add(col(Scoring.PROBABILITIES + "_c").as(p + Scoring.PROBABILITIES));
            cols.add(lit(String.join(",", c.classes())).as(p + CLASSES));
            cols.add(lit(c.version().version()).as(p + MODEL_VERSION));
            Dataset<Row> renamed = out.withColumnRenamed(Scoring.PREDICTED_LABEL, Scoring.PREDICTED_LABEL + "_m")
                    .withColumnRenamed(Scoring.EVENT_SCORE, Scoring.EVENT_SCORE + "_m")
                    .withColumnRenamed(Scoring.PROBABILITIES, Scoring.PROBABILITIES + "_m");
            Dataset<Row> both = Scoring.score(c.model(), renamed, c.classes(), BACKGROUND)
                    .withColumnRenamed(Scoring.PREDICTED_LABEL, Scoring.PREDICTED_LABEL + "_c")
                    .withColumnRenamed(Scoring.EVENT_SCORE, Scoring.EVENT_SCORE + "_c")
                    .withColumnRenamed(Scoring.PROBABILITIES, Scoring.PROBABILITIES + "_c")
                    .withColumnRenamed(Scoring.PREDICTED_LABEL + "_m", Scoring.PREDICTED_LABEL)
                    .withColumnRenamed(Scoring.EVENT_SCORE + "_m", Scoring.EVENT_SCORE)
                    .withColumnRenamed(Scoring.PROBABILITIES + "_m", Scoring.PROBABILITIES);
            out = both.select(cols.toArray(new Column[0]));
        } else {
            out = out.withColumn(p + Scoring.PREDICTED_LABEL, lit(null).cast(DataTypes.StringType))
                    .withColumn(p + Scoring.EVENT_SCORE, lit(null).cast(DataTypes.DoubleType))
                    .withColumn(p + Scoring.PROBABILITIES, lit(null).cast(DataTypes.createArrayType(DataTypes.DoubleType)))
                    .withColumn(p + CLASSES, lit(null).cast(DataTypes.StringType))
                    .withColumn(p + MODEL_VERSION, lit(null).cast(DataTypes.StringType));
        }
        return out.withColumn(BATCH_ID, lit(batchId)).withColumn(SCORED_AT, lit(now));
    }

    /** Dead-letter rows of the batch in the stream_dead_letter schema. */
    private Dataset<Row> deadLetters(Dataset<StreamRow> batch, Timestamp now, long batchId) {
        FiberFeatures layout = perFiber;
        return batch.filter((org.apache.spark.api.java.function.FilterFunction<StreamRow>)
                        r -> StreamRow.DEAD.equals(r.getKind()))
                .map((MapFunction<StreamRow, Row>) r -> RowFactory.create(r.getReason(), r.getDetail(), r.getPayload(),
                        r.getSource(), r.getKafkaTopic(), r.getKafkaPartition(), r.getKafkaOffset(), r.getFiberId(),
                        r.getChannel(), r.getChunkStartMicros() == null ? null : Bronze.toTimestamp(r.getChunkStartMicros()),
                        r.getWindowStart() == null ? null
                                : Bronze.toTimestamp(WindowStitcher.epochMicros(r.getWindowStart(),
                                        layout.forFiber(r.getFiberId()).sampleRate())),
                        batchId, now), Encoders.row(Schemas.STREAM_DEAD_LETTER));
    }

    /**
     * Appends once per batch: Delta skips a txnVersion it already committed for this writer. New feature columns may
     * arrive with a new release (a stream restarted on an older table): they are added (mergeSchema), as gold does.
     */
    private void write(Dataset<Row> rows, Tables table, long batchId, String... partitions) {
        rows.write().format("delta").mode("append")
                .option("mergeSchema", "true")
                .option("txnAppId", appId + "-" + table.tableName())
                .option("txnVersion", batchId)
                .partitionBy(partitions)
                .save(table.path(config));
    }

    /**
     * Runs the incident tracker (state as the previous batch left it) over the batch's final windows and appends the
     * state after the batch of every incident that changed (the latest state of each incident wins: update_seq);
     * returns every state the tracker produced, in order.
     */
    private List<IncidentTracker.Incident> incidents(SparkSession spark, Dataset<Row> scored,
                                                     Optional<ModelWatch.Loaded> model, long batchId, Timestamp now) {
        byte[] before = loadTrackerState(spark, batchId);
        IncidentTracker tracker = before == null ? new IncidentTracker(IncidentRows.settings(config))
                : IncidentTracker.fromBytes(before, IncidentRows.settings(config));
        // without a model the windows carry no probabilities: no cell is active, but time still closes incidents
        List<IncidentTracker.Incident> out = ScoredWindowReplay.replay(scored, tracker);
        List<Row> rows = new ArrayList<>();
        for (IncidentTracker.Incident i : IncidentRows.latest(out)) {
            rows.add(IncidentRows.toRow(i, config.fibers().get(i.fiberId()), batchId, now, chainageOf(i)));
        }
        if (!rows.isEmpty()) {
            write(spark.createDataFrame(rows, Schemas.INCIDENTS), Tables.INCIDENTS, batchId);
        }
        byte[] after = tracker.toBytes();
        // an unchanged state needs no commit (a quiet fiber): the next batch, or a replay of this one, reads the same
        // bytes as the latest state below it
        if (!java.util.Arrays.equals(before, after)) {
            Dataset<Row> state = spark.createDataFrame(List.of(RowFactory.create(batchId, after)),
                    new StructType().add(BATCH_ID, DataTypes.LongType, false).add(STATE, DataTypes.BinaryType, false));
            write(state, Tables.STREAM_INCIDENT_STATE, batchId);
        }
        trackerState = after;
        trackerStateBatch = batchId;
        return out;
    }

    /** Chainage of an incident's peak channel along the pipeline (metres), null off the route. */
    private Double chainageOf(IncidentTracker.Incident incident) {
        // where the incident is now: a moving one's current position along its track
        double c = routes.chainageM(incident.fiberId(), (int) Math.round(incident.positionChannel()));
        return Double.isNaN(c) ? null : c;
    }

    /**
     * The tracker's state as the last batch before {@code batchId} left it (a replayed batch sees the same state);
     * null before the first. Read from stream_incident_state by a new writer, then kept in memory.
     */
    private byte[] loadTrackerState(SparkSession spark, long batchId) {
        if (trackerState != null && trackerStateBatch < batchId) {
            return trackerState;
        }
        String path = Tables.STREAM_INCIDENT_STATE.path(config);
        if (!Delta.exists(spark, path)) {
            return null;
        }
        List<Row> last = spark.read().format("delta").load(path).filter(col(BATCH_ID).lt(batchId))
                .orderBy(col(BATCH_ID).desc()).limit(1).collectAsList();
        return last.isEmpty() ? null : (byte[]) last.get(0).get(1);
    }

    /** Incidents to the alerts topic and dead letters to the DLQ topic, when configured (JSON, keyed). */
    private void publish(SparkSession spark, Dataset<Row> dead, boolean noDead, List<IncidentTracker.Incident> incidents,
                         long batchId) {
        FosmConfig.Stream s = config.stream();
        if (!s.alertsTopic().isEmpty() && !incidents.isEmpty()) {
            Dataset<Row> rows = spark.read().format("delta").load(Tables.INCIDENTS.path(config))
                    .filter(col(BATCH_ID).equalTo(batchId));
            // the alert says where along the pipeline, as operators do: "digging at km 3.214 (fiber demo, open)"
            Column where = when(col(CHAINAGE_M).isNull(), lit("off route"))
                    .otherwise(concat(lit("km "), format_number(col(CHAINAGE_M).divide(1000), 3)));
            Column message = concat(col(EVENT_CLASS), lit(" at "), regexp_replace(where, ",", ""), lit(" (fiber "),
                    col(FIBER_ID), lit(", "), col(STATUS), lit(")"));
            // keyed by the incident id: a compacted topic keeps each incident's latest state
            rows.select(col(INCIDENT_ID).as("key"), to_json(struct(col("*"), message.as("message"))).as("value"))
                    .write().format("kafka").options(kafkaProducerOptions()).option("topic", s.alertsTopic()).save();
        }
        if (!s.dlqTopic().isEmpty() && !noDead) {
            dead.select(coalesce(col(SOURCE), col(REASON)).as("key"),
                            to_json(struct(col(REASON), col(DETAIL), base64(col(PAYLOAD)).as(PAYLOAD), col(SOURCE),
                                    col(KAFKA_TOPIC), col(KAFKA_PARTITION), col(KAFKA_OFFSET), col(FIBER_ID), col(CHANNEL),
                                    col(CHUNK_START), col(WINDOW_START), col(BATCH_ID))).as("value"))
                    .write().format("kafka").options(kafkaProducerOptions()).option("topic", s.dlqTopic()).save();
        }
    }

    /** Bootstrap servers plus the pass-through client settings ({@code stream.kafka.option.*}) as {@code kafka.*}. */
    private Map<String, String> kafkaProducerOptions() {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        config.kafkaOptions().forEach((k, v) -> options.put("kafka." + k, v));
        options.put("kafka.bootstrap.servers", config.stream().kafkaBootstrap());
        return options;
    }

}
