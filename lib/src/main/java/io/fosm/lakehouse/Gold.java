package io.fosm.lakehouse;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.*;

import io.fosm.config.FosmConfig;
import io.fosm.dsp.Band;
import io.fosm.dsp.FeatureConfig;
import io.fosm.dsp.FeatureExtractor;
import io.fosm.dsp.SpatialContext;
import io.fosm.dsp.SpatialMotion;
import io.fosm.dsp.TemporalContext;
import io.fosm.dsp.WindowStitcher;
import io.fosm.reliability.FaultPoints;
import io.fosm.spark.Sessions;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Gold: windowed spectral features per channel, with spatial context and labels, in {@code gold_features}.
 *
 * <p>Chunks of each channel are stitched in time order into sliding windows ({@code gold.window_seconds}, hop
 * {@code gold.hop_seconds}) that span chunk boundaries; a gap in a channel's chunks starts a new run, and no window
 * spans it. Windows sit on a global grid (multiples of the hop since the epoch), so any subset of the data yields the
 * same windows, as the streaming job does. The DSP is {@link FeatureExtractor}, shared with streaming.
 * {@code spatial_power_ratio_db} compares a window's total power with the median of its neighbours within
 * {@code gold.neighbor_channels}, because real events span channels and local noise does not. Labels come from the
 * ground-truth event log when {@code labels.path} has one (a window takes the event covering its channel for at least
 * half of the window; otherwise {@code background}).
 *
 * <p>The context features have one implementation each, shared with the stream: {@link TemporalContext} runs in
 * the same {@code mapPartitions} pass as the DSP (per channel, in time order), {@link SpatialContext} over the rows
 * of one (fiber, window_start).
 *
 * <p>Cost: one shuffle of the signal by (fiber, channel) ({@code gold.partitions}, default
 * spark.sql.shuffle.partitions), two small shuffles of feature rows: by (fiber, window) for the spatial context and by
 * (fiber, channel, window) to write gold clustered and sorted on that key; the labels per row ({@link EventLabels}: the
 * event log travels with the tasks). The DSP runs in {@code mapPartitions} over primitive arrays with reused buffers.
 */
public final class Gold {
    private Gold() {}

    /** What one gold run did. */
    public record Result(long windows, Map<String, Long> windowsByLabel, boolean labelled, long samplesAdvanced,
                         long ambiguousWindows) {}

    /** Reads silver (one event_date when present), computes features and replaces the matching gold partitions. */
    public static Result run(SparkSession spark, FosmConfig config, Optional<LocalDate> date) {
        Delta.Pinned input = Delta.pinnedInput(spark, config, Tables.SILVER, date, "gold", "silver");
        // silver written before the packed encoding (array<float>) is converted on the way in
        Dataset<Row> silver = Samples.packed(input.rows(), Tables.SILVER.tableName(), input.path());
        Optional<Dataset<Row>> events = readEvents(spark, config.labelsPath());
        Sessions.describe(spark, "fosm-gold", "gold: stitch windows, FFT features, spatial context, labels");
        Dataset<Row> features = withSpatialContext(windows(silver, config), config)
                .select(tableOrder(FiberFeatures.of(config).columns()));
        Dataset<Row> unlabelled = features
                .withColumn(LABEL, lit(null).cast(DataTypes.StringType))
                .withColumn(EVENT_ID, lit(null).cast(DataTypes.StringType))
                .withColumn(LABEL_AMBIGUOUS, lit(null).cast(DataTypes.BooleanType));
        Dataset<Row> labelled = unlabelled;
        if (events.isPresent()) {
            // only fibers with an event log are labelled: a fiber nobody logged events for (a real interrogator
            // file) is unlabelled, not all background. One pass over the features: a union of the logged and the
            // unlogged fibers would compute every feature twice (each branch re-runs the spatial pass)
            List<String> logged = labelledFibers(spark, config.labelsPath(), events.get());
            Column hasLog = col(FIBER_ID).isin(logged.toArray());
            labelled = withLabels(features, events.get(), config.gold().labelCollarSeconds(),
                    config.gold().labelCollarChannels())
                    .withColumn(LABEL, when(hasLog, col(LABEL)))
                    .withColumn(EVENT_ID, when(hasLog, col(EVENT_ID)))
                    .withColumn(LABEL_AMBIGUOUS, when(hasLog, col(LABEL_AMBIGUOUS)));
        }
        // gold is written clustered by (fiber, channel, window_start): rows hashed on that key (AQE may coalesce the
        // partitions) and sorted on it, so a file holds whole channels in time order. Readers filtering on channel or
        // time skip row groups, and the layout does not depend on how the features were computed: a model trained on
        // gold sees the same rows in the same order (LR's and XGBoost's sums and sketches follow row order)
        // (the sort comes after the join, which Spark's optimiser may not keep a sort under, and leads with the
        // write's partition columns, so that the writer adds no sort of its own)
        labelled = labelled.repartition(col(FIBER_ID), col(CHANNEL), col(WINDOW_START));
        // where each window lies along the pipeline: chainage (and coordinates with a route file) per channel
        Dataset<Row> located = FiberRoutes.load(spark, config).withGeometry(labelled)
                .sortWithinPartitions(FIBER_ID, EVENT_DATE, CHANNEL, WINDOW_START);
        String goldPath = Tables.GOLD_FEATURES.path(config);
        Delta.replace(located, goldPath, date, Optional.of(Delta.inputsMetadata(input)), FIBER_ID, EVENT_DATE);
        FaultPoints.reached("gold.after_commit");

        Sessions.describe(spark, "fosm-gold", "gold: count windows by label");
        Dataset<Row> written = Delta.onDate(spark.read().format("delta").load(goldPath), date);
        Map<String, Long> byLabel = new java.util.TreeMap<>();
        long total = 0;
        long ambiguous = 0;
        long samplesAdvanced = 0;
        FiberFeatures perFiber = FiberFeatures.of(config);
        for (Row r : written.groupBy(LABEL, FIBER_ID).agg(count(lit(1)), count(when(col(LABEL_AMBIGUOUS), lit(1))))
                .collectAsList()) {
            byLabel.merge(r.isNullAt(0) ? "(unlabelled)" : r.getString(0), r.getLong(2), Long::sum);
            total += r.getLong(2);
            ambiguous += r.getLong(3);
            // each window advances the grid by one hop of its fiber: windows x hop samples is the signal consumed
            if (perFiber.has(r.getString(1))) {
                samplesAdvanced += r.getLong(2) * perFiber.forFiber(r.getString(1)).hopSamples();
            }
        }
        return new Result(total, byLabel, events.isPresent(), samplesAdvanced, ambiguous);
    }

    /** Fibers with an event log: a {@code <fiber>_events.jsonl} file, or events naming the fiber. */
    static List<String> labelledFibers(SparkSession spark, String labelsPath, Dataset<Row> events) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        try {
            Path path = new Path(labelsPath);
            org.apache.hadoop.fs.FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(path)) {
                String name = f.getPath().getName();
                if (name.endsWith("_events.jsonl")) {
                    out.add(name.substring(0, name.length() - "_events.jsonl".length()));
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot list event logs under " + labelsPath + ": " + e.getMessage(), e);
        }
        events.select(FIBER_ID).distinct().collectAsList().forEach(r -> {
            if (!r.isNullAt(0)) {
                out.add(r.getString(0));
            }
        });
        return List.copyOf(out);
    }

    /** The event log (JSON lines) under the labels path, if there is one. */
    public static Optional<Dataset<Row>> readEvents(SparkSession spark, String labelsPath) {
        try {
            Path path = new Path(labelsPath);
            org.apache.hadoop.fs.FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(path)) {
                return Optional.empty();
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot read labels from " + labelsPath + ": " + e.getMessage(), e);
        }
        return Optional.of(spark.read().schema(Schemas.EVENT_LOG).option("pathGlobFilter", "*_events.jsonl")
                .option("mode", "FAILFAST").json(labelsPath));
    }

    /**
     * Feature names for the gold windows and bands at a sample rate (stable order), for a fiber with the gold
     * defaults; the table's columns with per-fiber settings are {@link FiberFeatures#columns}.
     */
    public static String[] featureNames(FosmConfig config, double sampleRate) {
        return FeatureExtractor.featureNames(featureConfig(config.gold(), sampleRate));
    }

    /** The DSP settings of the configured gold windows at a sample rate (bands above Nyquist are clipped). */
    public static FeatureConfig featureConfig(FosmConfig.Gold gold, double sampleRate) {
        List<Band> bands = new ArrayList<>();
        for (double[] b : gold.bands()) {
            if (b[0] < sampleRate / 2) {
                bands.add(new Band(b[0], Math.min(b[1], sampleRate / 2)));
            }
        }
        try {
            return FeatureConfig.of(sampleRate, gold.windowSeconds(), gold.hopSeconds(), bands);
        } catch (IllegalArgumentException e) {
            // the configured windows do not fit the sample rate: a configuration error (exit 2), not a failure
            throw new io.fosm.config.ConfigException("Invalid gold.window_seconds, gold.hop_seconds or gold.bands at "
                    + sampleRate + " Hz: " + e.getMessage());
        }
    }

    /**
     * Schema of the windows of fibers with per-fiber settings: a band column not every fiber has is nullable (null in
     * the rows of the fibers without it).
     */
    public static StructType windowSchema(FiberFeatures perFiber) {
        StructType schema = new StructType()
                .add(FIBER_ID, DataTypes.StringType, false)
                .add(CHANNEL, DataTypes.IntegerType, false)
                .add(WINDOW_START, DataTypes.TimestampType, false)
                .add(WINDOW_END, DataTypes.TimestampType, false)
                .add(SAMPLE_RATE, DataTypes.DoubleType, false)
                .add(EVENT_DATE, DataTypes.DateType, false);
        for (String name : perFiber.columns()) {
            schema = schema.add(name, DataTypes.DoubleType, !perFiber.shared(name));
        }
        for (String name : TEMPORAL_COLUMNS) {
            schema = schema.add(name, DataTypes.DoubleType, false);
        }
        return schema;
    }

    /**
     * The hidden column that carries each window's motion inputs from the per-channel pass to the spatial pass, where it
     * is dropped: the total power one hop earlier (NaN when missing), then the energy envelope
     * ({@link SpatialMotion#ENVELOPE_FRAMES} values).
     */
    public static final String MOTION_INPUT = "_motion_input";

    /** Schema of {@link #windows}: the window rows and their hidden {@link #MOTION_INPUT}. */
    static StructType windowsWithMotionInput(FiberFeatures perFiber) {
        return windowSchema(perFiber).add(MOTION_INPUT, DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    }

    /** Each fiber's motion context: its window settings, gold.neighbor_channels and its channel spacing. */
    public static Map<String, SpatialMotion> motionByFiber(FosmConfig config) {
        FiberFeatures perFiber = FiberFeatures.of(config);
        Map<String, SpatialMotion> out = new java.util.LinkedHashMap<>();
        config.fibers().values().forEach(f -> out.put(f.fiberId(), SpatialMotion.forConfig(
                perFiber.forFiber(f.fiberId()), config.gold().neighborChannels(), f.spacingM())));
        return out;
    }

    /** The temporal context columns, in the order {@link TemporalContext} emits them. */
    public static final List<String> TEMPORAL_COLUMNS = List.of(TEMPORAL_MAX_CREST_FACTOR, TEMPORAL_MAX_KURTOSIS,
            POWER_BASELINE_DB, RECENT_IMPULSIVENESS);

    /** Columns of gold_features before the labels, in table order: keys, DSP features, context features. */
    public static Column[] tableOrder(String[] featureNames) {
        List<Column> out = new ArrayList<>();
        for (String c : List.of(FIBER_ID, CHANNEL, WINDOW_START, WINDOW_END, SAMPLE_RATE, EVENT_DATE)) {
            out.add(col(c));
        }
        for (String f : featureNames) {
            out.add(col(f));
        }
        for (String c : CONTEXT_FEATURES) {
            out.add(col(c));
        }
        return out.toArray(new Column[0]);
    }

    /**
     * Stitches each channel's chunks into windows and computes their features at the fiber's own rate, window and
     * bands ({@link FiberFeatures}) and their temporal context ({@link TemporalContext}).
     */
    public static Dataset<Row> windows(Dataset<Row> chunks, FosmConfig config) {
        FiberFeatures perFiber = FiberFeatures.of(config);
        StructType schema = windowsWithMotionInput(perFiber);
        int partitions = config.gold().partitions() > 0 ? config.gold().partitions()
                : Integer.parseInt(chunks.sparkSession().conf().get("spark.sql.shuffle.partitions"));
        WindowFeatures fn = new WindowFeatures(perFiber, config.gold().temporalWindows(),
                config.gold().lookaheadWindows(), config.gold().baselineWindows());
        return Samples.packed(chunks, Tables.SILVER.tableName(), "(gold's input)").select(ChunkBean.projection())
                .repartition(partitions, col("fiberId"), col("channel"))
                .sortWithinPartitions("fiberId", "channel", "chunkStartMicros")
                .as(Encoders.bean(ChunkBean.class))
                .mapPartitions(fn, Encoders.row(schema));
    }

    /** The mapPartitions body: one extractor per fiber and task, one stitcher and temporal context per channel. */
    static final class WindowFeatures implements MapPartitionsFunction<ChunkBean, Row>, Serializable {
        private final FiberFeatures perFiber;
        private final int temporalWindows;
        private final int lookaheadWindows;
        private final int baselineWindows;

        WindowFeatures(FiberFeatures perFiber, int temporalWindows, int lookaheadWindows, int baselineWindows) {
            this.perFiber = perFiber;
            this.temporalWindows = temporalWindows;
            this.lookaheadWindows = lookaheadWindows;
            this.baselineWindows = baselineWindows;
        }

        @Override
        public Iterator<Row> call(Iterator<ChunkBean> chunks) {
            Map<String, FeatureExtractor> extractors = new java.util.HashMap<>();
            return new Iterator<>() {
                // each chunk's packed samples are decoded into this buffer, grown to the longest chunk seen
                private float[] decoded = new float[0];
                private final ArrayList<Row> pending = new ArrayList<>();
                private int next;
                private WindowStitcher stitcher;
                private TemporalContext temporal;
                private FeatureExtractor extractor;
                private FeatureConfig features;
                private String fiber;
                private int channel = Integer.MIN_VALUE;
                // the features pushed into the temporal context carry the window's envelope after the DSP features
                private final TemporalContext.Sink sink = (windowStart, f, context, previousPower) -> {
                    int dsp = extractor.featureCount();
                    Row row = windowRow(fiber, channel, windowStart, features.windowSamples(), features.sampleRate(),
                            perFiber.toColumns(fiber, java.util.Arrays.copyOf(f, dsp)), context);
                    Object[] values = new Object[row.length() + 1];
                    for (int i = 0; i < row.length(); i++) {
                        values[i] = row.get(i);
                    }
                    values[row.length()] = motionInput(previousPower, f, dsp);
                    pending.add(RowFactory.create(values));
                };

                @Override
                public boolean hasNext() {
                    while (next >= pending.size() && (chunks.hasNext() || temporal != null)) {
                        pending.clear();
                        next = 0;
                        if (chunks.hasNext()) {
                            push(chunks.next());
                        } else {
                            temporal.flush(sink);   // the end of the partition is the end of its last channel
                            temporal = null;
                        }
                    }
                    return next < pending.size();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    return pending.get(next++);
                }

                private void push(ChunkBean chunk) {
                    if (stitcher == null || chunk.getChannel() != channel || !chunk.getFiberId().equals(fiber)) {
                        if (temporal != null) {
                            temporal.flush(sink);
                        }
                        fiber = chunk.getFiberId();
                        channel = chunk.getChannel();
                        features = perFiber.forFiber(fiber);
                        extractor = extractors.computeIfAbsent(fiber, id -> new FeatureExtractor(features));
                        stitcher = WindowStitcher.forConfig(features);
                        temporal = TemporalContext.forFeatures(extractor.featureNames(), temporalWindows,
                                lookaheadWindows, features.hopSamples(), baselineWindows);
                    }
                    double fs = features.sampleRate();
                    if (chunk.getSampleRate() != fs) {
                        // silver admits only the fiber's registered rate; anything else would get mislabelled columns
                        throw new IllegalStateException("Cannot compute gold features: fiber " + chunk.getFiberId()
                                + " channel " + chunk.getChannel() + " samples at " + chunk.getSampleRate()
                                + " Hz, but the fiber is registered at " + fs + " Hz");
                    }
                    long startIndex = WindowStitcher.sampleIndex(chunk.getChunkStartMicros(), fs);
                    FeatureExtractor x = extractor;
                    TemporalContext t = temporal;
                    int n = features.windowSamples();
                    byte[] packed = chunk.getSamples();
                    if (decoded.length < Samples.count(packed)) {
                        decoded = new float[Samples.count(packed)];
                    }
                    int length = Samples.decodeInto(packed, decoded);
                    stitcher.push(startIndex, decoded, length, (windowStart, buffer, offset) -> {
                        double[] out = new double[x.featureCount() + SpatialMotion.ENVELOPE_FRAMES];
                        x.extract(buffer, offset, out);
                        SpatialMotion.envelope(buffer, offset, n, out, x.featureCount());
                        t.push(windowStart, out, sink);
                    });
                }
            };
        }
    }

    /**
     * The motion inputs of a window: its previous power, then the envelope that follows the {@code dsp} DSP features
     * in {@code features}.
     */
    public static double[] motionInput(double previousPower, double[] features, int dsp) {
        double[] out = new double[1 + SpatialMotion.ENVELOPE_FRAMES];
        out[0] = previousPower;
        // a window restored from a stream state written before the envelope existed has none: a flat one
        if (features.length >= dsp + SpatialMotion.ENVELOPE_FRAMES) {
            System.arraycopy(features, dsp, out, 1, SpatialMotion.ENVELOPE_FRAMES);
        }
        return out;
    }

    /** One window row of {@link #windowSchema(FiberFeatures)}: keys, DSP features in the table layout, context. */
    public static Row windowRow(String fiber, int channel, long windowStart, int windowSamples, double fs,
                                Object[] features, double[] context) {
        Object[] values = new Object[6 + features.length + context.length];
        Timestamp ws = Bronze.toTimestamp(WindowStitcher.epochMicros(windowStart, fs));
        values[0] = fiber;
        values[1] = channel;
        values[2] = ws;
        values[3] = Bronze.toTimestamp(WindowStitcher.epochMicros(windowStart + windowSamples, fs));
        values[4] = fs;
        values[5] = java.sql.Date.valueOf(ws.toInstant().atZone(java.time.ZoneOffset.UTC).toLocalDate());
        System.arraycopy(features, 0, values, 6, features.length);
        for (int i = 0; i < context.length; i++) {
            values[6 + features.length + i] = context[i];
        }
        return RowFactory.create(values);
    }

    /**
     * Adds {@code spatial_power_ratio_db} with {@link SpatialContext} (10 log10 of the window's total power over the
     * median total power of the other channels within {@code gold.neighbor_channels} at the same window, 0 dB when it
     * has no neighbours) and the motion features with {@link SpatialMotion}, and drops the hidden
     * {@link #MOTION_INPUT}. One shuffle of the feature rows by (fiber, window_start).
     */
    public static Dataset<Row> withSpatialContext(Dataset<Row> windows, FosmConfig config) {
        StructType in = windows.schema();
        int motionIndex = in.fieldIndex(MOTION_INPUT);
        StructType out = new StructType();
        for (int i = 0; i < in.size(); i++) {
            if (i != motionIndex) {
                out = out.add(in.fields()[i]);
            }
        }
        out = out.add(SPATIAL_POWER_RATIO, DataTypes.DoubleType, false);
        for (String c : MOTION_FEATURES) {
            out = out.add(c, DataTypes.DoubleType, false);
        }
        int partitions = Integer.parseInt(windows.sparkSession().conf().get("spark.sql.shuffle.partitions"));
        return windows.repartition(partitions, col(FIBER_ID), col(WINDOW_START))
                .sortWithinPartitions(FIBER_ID, WINDOW_START, CHANNEL)
                .mapPartitions(new SpatialRatios(config.gold().neighborChannels(), motionByFiber(config),
                        in.fieldIndex(FIBER_ID), in.fieldIndex(WINDOW_START), in.fieldIndex(CHANNEL),
                        in.fieldIndex("total_power"), motionIndex), Encoders.row(out));
    }

    /** Spatial ratio and motion of the windows of one (fiber, window start), gold's and the stream's one code path. */
    public static final class SpatialGroup {
        private final SpatialContext spatial;
        private final Map<String, SpatialMotion> motion;
        private int[] channels = new int[64];
        private double[] power = new double[64];
        private double[] previous = new double[64];
        private double[] envelopes = new double[64 * SpatialMotion.ENVELOPE_FRAMES];
        private double[] ratio = new double[64];
        private double[] moves = new double[64 * SpatialMotion.OUTPUTS];

        public SpatialGroup(int neighbors, Map<String, SpatialMotion> motion) {
            this.spatial = new SpatialContext(neighbors);
            this.motion = motion;
        }

        /**
         * Computes the group's context: {@code n} windows sorted by channel with their total power and motion inputs
         * ({@link #motionInput}); then {@link #ratio(int)} and {@link #motion(int, int)} read it.
         */
        public void compute(String fiber, int n, java.util.function.IntToDoubleFunction powerOf,
                            java.util.function.IntFunction<double[]> motionInputOf,
                            java.util.function.IntUnaryOperator channelOf) {
            if (channels.length < n) {
                channels = new int[n];
                power = new double[n];
                previous = new double[n];
                envelopes = new double[n * SpatialMotion.ENVELOPE_FRAMES];
                ratio = new double[n];
                moves = new double[n * SpatialMotion.OUTPUTS];
            }
            for (int i = 0; i < n; i++) {
                channels[i] = channelOf.applyAsInt(i);
                power[i] = powerOf.applyAsDouble(i);
                double[] m = motionInputOf.apply(i);
                previous[i] = m[0];
                System.arraycopy(m, 1, envelopes, i * SpatialMotion.ENVELOPE_FRAMES, SpatialMotion.ENVELOPE_FRAMES);
            }
            spatial.ratios(channels, power, n, ratio);
            SpatialMotion m = motion.get(fiber);
            if (m == null) {
                throw new IllegalStateException("Cannot compute motion features: fiber '" + fiber + "' is not in the"
                        + " fiber registry (config key fibers: " + String.join(",", motion.keySet()) + ")");
            }
            m.compute(channels, envelopes, power, previous, n, moves);
        }

        public double ratio(int i) {
            return ratio[i];
        }

        public double motion(int i, int k) {
            return moves[i * SpatialMotion.OUTPUTS + k];
        }
    }

    /** Groups sorted rows by (fiber, window_start) and appends each row's spatial ratio and motion. */
    static final class SpatialRatios implements MapPartitionsFunction<Row, Row>, Serializable {
        private final int neighbors;
        private final Map<String, SpatialMotion> motion;
        private final int fiberIndex;
        private final int startIndex;
        private final int channelIndex;
        private final int powerIndex;
        private final int motionIndex;

        SpatialRatios(int neighbors, Map<String, SpatialMotion> motion, int fiberIndex, int startIndex,
                      int channelIndex, int powerIndex, int motionIndex) {
            this.neighbors = neighbors;
            this.motion = motion;
            this.fiberIndex = fiberIndex;
            this.startIndex = startIndex;
            this.channelIndex = channelIndex;
            this.powerIndex = powerIndex;
            this.motionIndex = motionIndex;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            SpatialGroup spatial = new SpatialGroup(neighbors, motion);
            return new Iterator<>() {
                private final ArrayList<Row> group = new ArrayList<>();
                private final ArrayList<Row> ready = new ArrayList<>();
                private int next;
                private Row lookahead;

                @Override
                public boolean hasNext() {
                    while (next >= ready.size() && (lookahead != null || rows.hasNext())) {
                        ready.clear();
                        next = 0;
                        group.clear();
                        Row first = lookahead != null ? lookahead : rows.next();
                        lookahead = null;
                        group.add(first);
                        while (rows.hasNext()) {
                            Row r = rows.next();
                            if (r.getString(fiberIndex).equals(first.getString(fiberIndex))
                                    && r.get(startIndex).equals(first.get(startIndex))) {
                                group.add(r);
                            } else {
                                lookahead = r;
                                break;
                            }
                        }
                        emit();
                    }
                    return next < ready.size();
                }

                private void emit() {
                    int n = group.size();
                    spatial.compute(group.get(0).getString(fiberIndex), n,
                            i -> group.get(i).getDouble(powerIndex), i -> motionInput(group.get(i)),
                            i -> group.get(i).getInt(channelIndex));
                    for (int i = 0; i < n; i++) {
                        Row r = group.get(i);
                        Object[] values = new Object[r.length() + SpatialMotion.OUTPUTS];
                        int k = 0;
                        for (int j = 0; j < r.length(); j++) {
                            if (j != motionIndex) {
                                values[k++] = r.get(j);
                            }
                        }
                        values[k++] = spatial.ratio(i);
                        for (int m = 0; m < SpatialMotion.OUTPUTS; m++) {
                            values[k++] = spatial.motion(i, m);
                        }
                        ready.add(RowFactory.create(values));
                    }
                }

                private double[] motionInput(Row r) {
                    List<Double> list = r.getList(motionIndex);
                    double[] out = new double[list.size()];
                    for (int j = 0; j < out.length; j++) {
                        out[j] = list.get(j);
                    }
                    return out;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    return ready.get(next++);
                }
            };
        }
    }

    /**
     * Labels windows ({@link EventLabels}, per row, no join or shuffle): a window takes the event of its fiber that covers its channel (|channel - centre(t)| <= half
     * width, the centre moving linearly from onset to offset, evaluated at the window's midpoint) for at least half of
     * the window; the largest overlap wins. Windows no event covers are {@code background}.
     *
     * <p>{@code label_ambiguous} marks the windows whose label a per-window classifier cannot be held to: part of an
     * event is in the window but the label rule does not give it to that event (the event is within
     * {@code collarSeconds} of covering the window in time, or within {@code collarChannels} beyond its half width),
     * or events of two classes cover the window at once (a vehicle over a leak). The label itself stays as the rule
     * gives it; training scores its models without such windows ({@code train.eval_collar}).
     */
    public static Dataset<Row> withLabels(Dataset<Row> windows, Dataset<Row> events, double collarSeconds,
                                          double collarChannels) {
        // the event log is ground truth for a few fibers (events, not samples): it travels with the tasks, and each
        // window row is labelled where it is, with no join, shuffle or sort of the feature rows
        EventLabels rule = EventLabels.of(events.collectAsList(), collarSeconds, collarChannels);
        org.apache.spark.sql.expressions.UserDefinedFunction label = udf(
                (org.apache.spark.sql.api.java.UDF4<String, Integer, Long, Long, Row>) (fiber, channel, start, end) ->
                        rule.asRow(rule.label(fiber, channel, start, end)), LABEL_STRUCT);
        String labels = "_labels";
        return windows.withColumn(labels, label.apply(col(FIBER_ID), col(CHANNEL), unix_micros(col(WINDOW_START)),
                        unix_micros(col(WINDOW_END))))
                .withColumn(LABEL, col(labels).getField(LABEL))
                .withColumn(EVENT_ID, col(labels).getField(EVENT_ID))
                .withColumn(LABEL_AMBIGUOUS, col(labels).getField(LABEL_AMBIGUOUS))
                .drop(labels);
    }

    /** What {@link EventLabels} gives a window, as a struct. */
    private static final StructType LABEL_STRUCT = new StructType()
            .add(LABEL, DataTypes.StringType, false)
            .add(EVENT_ID, DataTypes.StringType, true)
            .add(LABEL_AMBIGUOUS, DataTypes.BooleanType, false);
}
