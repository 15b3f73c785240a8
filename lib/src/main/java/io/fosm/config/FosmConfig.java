package io.fosm.config;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The typed, validated configuration of every fosm job. Built once at start-up by {@link #load}; a bad value fails
 * there with a message naming the key, where it came from and what was expected.
 */
public record FosmConfig(
        String profile,
        String lakehouseRoot,
        String landingPath,
        String labelsPath,
        Optional<String> sparkMaster,
        int shufflePartitions,
        double chunkSeconds,
        Map<String, FiberSpec> fibers,
        Silver silver,
        Gold gold,
        Mlflow mlflow,
        Train train,
        Promote promote,
        Metrics metrics,
        Map<String, String> kafkaOptions,
        Stream stream,
        Drift drift,
        S3 s3,
        Incidents incidents) implements Serializable {

    /**
     * Incidents as tracks and their event-level evaluation (io.fosm.incidents, io.fosm.evaluation): the k-of-n
     * window of {@code stream.alert.k}, the quiet windows that close an incident, the gate of a track, the class
     * decision, and the evaluation's collar and location tolerance ({@code stream.alert.*}, {@code evaluate.*}).
     */
    public record Incidents(int openN, int closeAfter, int gateChannels, double minClassConfidence,
                            double unknownAnomalyFraction, double movingMinChannels, List<String> stationaryClasses,
                            double splitClassShare,
                            double collarSeconds, double toleranceChannels)
            implements Serializable {}

    /**
     * Drift detection ({@code drift.*}, docs/drift.md): the reference profile's bins and sample size, the report
     * window, the thresholds that flag a feature and a window, and where reports and the flag file go.
     */
    public record Drift(int bins, int sampleSize, double reportWindowSeconds, double psiThreshold, double jsThreshold,
                       double ksPvalue, double ksStatistic, double featureFraction, double maxInvalidRateIncrease,
                       double maxDeadChannelIncrease, double deadChannelPower, int retrainAfter, String output)
            implements Serializable {}

    /**
     * The stream's Prometheus endpoint ({@code metrics.*}): served at http://host:port/metrics when enabled; port 0
     * picks a free port. Latency histogram bucket bounds in seconds, ascending.
     */
    public record Metrics(boolean enabled, String host, int port, List<Double> latencyBuckets) implements Serializable {}

    /**
     * Kafka consumer/producer settings Spark manages itself; setting them through {@code stream.kafka.option.*} would
     * make the Kafka source fail at start (or, for offsets, silently differ), so they are refused at load.
     */
    static final List<String> KAFKA_OPTIONS_MANAGED_BY_SPARK = List.of("auto.offset.reset", "enable.auto.commit",
            "key.deserializer", "value.deserializer", "key.serializer", "value.serializer", "interceptor.classes");

    /** The streaming scorer ({@code stream.*}, docs/streaming.md). */
    public record Stream(String source, String filesPath, String kafkaBootstrap, String kafkaTopic,
                         String kafkaStartingOffsets, String alertsTopic, String dlqTopic, long maxPerTrigger,
                         String checkpoint, double triggerSeconds, double watermarkSeconds, double alertThreshold,
                         int alertK, int alertGroupChannels, boolean shadow, double modelCheckSeconds)
            implements Serializable {
        public static final String FILES = "files";
        public static final String KAFKA = "kafka";
    }

    /**
     * The S3 store of s3a:// paths ({@code s3.*}): an endpoint for S3-compatible stores (empty = AWS) and path-style
     * access. Credentials are never configuration: S3A reads them from the environment or a credential provider.
     */
    public record S3(Optional<String> endpoint, boolean pathStyleAccess) implements Serializable {
        /** The Hadoop settings ({@code fs.s3a.*}) these values stand for; empty when everything is left to S3A. */
        public Map<String, String> hadoopSettings() {
            Map<String, String> out = new LinkedHashMap<>();
            endpoint.ifPresent(e -> out.put("fs.s3a.endpoint", e));
            if (pathStyleAccess) {
                out.put("fs.s3a.path.style.access", "true");
            }
            return out;
        }
    }

    /** Training settings ({@code train.*}). */
    public record Train(double fraction, double gapSeconds, List<String> models, boolean search, long minClassCount,
                        List<String> classes, long seed, int xgboostRounds, int xgboostWorkers, boolean anomaly,
                        boolean evalCollar, double anomalyFalsePositiveRate, List<String> heldoutFibers)
            implements Serializable {}

    /** The promotion rule ({@code promote.*}). */
    public record Promote(String metric, double margin, double maxClassRegression) implements Serializable {}

    /** Silver validation thresholds. */
    public record Silver(Instant earliestTime, long futureToleranceSeconds, double maxQuarantineFraction)
            implements Serializable {}

    /** Gold window and feature settings. */
    public record Gold(double windowSeconds, double hopSeconds, List<double[]> bands, int neighborChannels,
                       int temporalWindows, int baselineWindows, int partitions, double labelCollarSeconds,
                       double labelCollarChannels, int lookaheadWindows) implements Serializable {}

    /**
     * Where runs and models go: the tracking server, the experiment and the registered model name. The tracking URI
     * comes from {@code MLFLOW_TRACKING_URI} when that variable is set, unless FOSM_MLFLOW_TRACKING_URI or --conf
     * names another.
     */
    public record Mlflow(String trackingUri, String experiment, String modelName) implements Serializable {}

    /** Loads the named profile with environment variables and {@code key=value} overrides applied. */
    public static FosmConfig load(String profile, Path externalFile, Map<String, String> env, List<String> overrides) {
        ConfigSources src = ConfigSources.load(profile, externalFile, env, overrides);
        return from(profile, src);
    }

    /** The local profile with overrides, as tests and the demo use it. */
    public static FosmConfig local(String... overrides) {
        return load("local", null, Map.of(), List.of(overrides));
    }

    /**
     * Every configuration key, as docs/configuration.md must list it: the keys conf/defaults.properties declares
     * (the only ones a file, FOSM_* variable or --conf may set) and every key this parser reads, found by parsing the
     * defaults; per-fiber keys as {@code fiber.<id>.<setting>}, Kafka pass-through keys as
     * {@code stream.kafka.option.<kafka-key>}. Derived from the code, so a key added to the parser is in it.
     */
    public static java.util.SortedSet<String> keys() {
        ConfigSources src = ConfigSources.load(null, null, Map.of(), List.of());
        from("defaults", src);
        return src.keys();
    }

    static FosmConfig from(String profile, ConfigSources src) {
        Reader r = new Reader(src);
        String root = absolute(r.nonEmpty("lakehouse.root"));
        Silver silver = new Silver(
                r.instant("silver.earliest_time"),
                r.longAtLeast("silver.future_tolerance_seconds", 0),
                r.fraction("silver.max_quarantine_fraction"));
        double window = r.positive("gold.window_seconds");
        double hop = r.positive("gold.hop_seconds");
        if (hop > window) {
            throw new ConfigException("Invalid gold.hop_seconds (from " + src.origin("gold.hop_seconds")
                    + "): hop must not exceed gold.window_seconds " + window + ", cannot be: " + hop);
        }
        // fibers may sample at different rates: each gets its own bands (checked against its Nyquist frequency)
        // and its windows in seconds, turned into samples at its own rate by gold and the stream
        Map<String, FiberSpec> fibers = new LinkedHashMap<>();
        for (String id : r.list("fibers")) {
            fibers.put(id, r.fiber(id, window, hop));
        }
        Gold gold = new Gold(window, hop, r.bands("gold.bands"), (int) r.longAtLeast("gold.neighbor_channels", 1),
                (int) r.longAtLeast("gold.temporal_windows", 0), (int) r.longAtLeast("gold.baseline_windows", 1),
                (int) r.longAtLeast("gold.partitions", 0), r.nonNegative("gold.label_collar_seconds"),
                r.nonNegative("gold.label_collar_channels"), (int) r.longAtLeast("gold.lookahead_windows", 0));
        String trackingUri = r.nonEmpty("mlflow.tracking_uri");
        if (!trackingUri.matches("^https?://.+")) {
            // the Java client speaks REST only: file: or databricks URIs would fail later with an obscure error
            throw r.fail("mlflow.tracking_uri", trackingUri, "an http:// or https:// URI of an MLflow tracking server");
        }
        Mlflow mlflow = new Mlflow(trackingUri, r.nonEmpty("mlflow.experiment"), r.nonEmpty("mlflow.model_name"));
        List<String> models = r.list("train.models");
        for (String m : models) {
            if (!List.of("lr", "rf", "gbt", "mlp", "xgboost").contains(m)) {
                throw r.fail("train.models", src.raw("train.models"), "a list of lr, rf, gbt, mlp, xgboost (bad model '"
                        + m + "')");
            }
        }
        double fraction = r.fraction("train.fraction");
        if (fraction <= 0 || fraction >= 1) {
            throw r.fail("train.fraction", src.raw("train.fraction"), "a fraction strictly between 0 and 1");
        }
        Train train = new Train(fraction, r.nonNegative("train.gap_seconds"), models, r.bool("train.search"),
                r.longAtLeast("train.min_class_count", 1), r.list("train.classes"), r.longAtLeast("train.seed", 0),
                (int) r.longAtLeast("train.xgboost_rounds", 1), (int) r.longAtLeast("train.xgboost_workers", 1),
                r.bool("train.anomaly"), r.bool("train.eval_collar"), anomalyFalsePositiveRate(r),
                heldoutFibers(r, src, fibers));
        String metric = r.nonEmpty("promote.metric");
        if (!metric.equals("macro_f1") && !metric.equals("accuracy") && !metric.equals("roc_auc_event")
                && !metric.equals("pr_auc_event")) {
            throw r.fail("promote.metric", metric, "one of macro_f1, accuracy, roc_auc_event, pr_auc_event");
        }
        Promote promote = new Promote(metric, r.nonNegative("promote.margin"),
                r.nonNegative("promote.max_class_regression"));
        Drift drift = drift(r);
        Metrics metrics = new Metrics(r.bool("metrics.enabled"), r.nonEmpty("metrics.host"),
                (int) r.longBetween("metrics.port", 0, 65535), r.ascendingPositive("metrics.latency_buckets"));
        Map<String, String> kafkaOptions = src.withPrefix(ConfigSources.KAFKA_OPTION_PREFIX);
        for (String k : kafkaOptions.keySet()) {
            if (KAFKA_OPTIONS_MANAGED_BY_SPARK.contains(k)) {
                throw new ConfigException("Invalid " + ConfigSources.KAFKA_OPTION_PREFIX + k + " (from "
                        + src.origin(ConfigSources.KAFKA_OPTION_PREFIX + k) + "): Spark's Kafka source manages '" + k
                        + "' itself and refuses it; expected none of " + KAFKA_OPTIONS_MANAGED_BY_SPARK);
            }
        }
        String source = r.nonEmpty("stream.source");
        if (!source.equals(Stream.FILES) && !source.equals(Stream.KAFKA)) {
            throw r.fail("stream.source", source, "files or kafka");
        }
        double threshold = r.fraction("stream.alert.threshold");
        Stream stream = new Stream(source, absolute(r.nonEmpty("stream.files.path")),
                r.nonEmpty("stream.kafka.bootstrap_servers"), r.nonEmpty("stream.kafka.topic"),
                r.nonEmpty("stream.kafka.starting_offsets"), blankToEmpty(src.raw("stream.kafka.alerts_topic")),
                blankToEmpty(src.raw("stream.kafka.dlq_topic")), r.longAtLeast("stream.max_per_trigger", 0),
                absolute(r.nonEmpty("stream.checkpoint")), r.positive("stream.trigger_seconds"),
                r.positive("stream.watermark_seconds"), threshold, (int) r.longAtLeast("stream.alert.k", 1),
                (int) r.longAtLeast("stream.alert.group_channels", 0), r.bool("stream.shadow"),
                r.positive("stream.model_check_seconds"));
        String endpoint = src.raw("s3.endpoint");
        if (endpoint != null && !endpoint.isBlank() && !endpoint.trim().matches("^(https?://)?[^/\\s]+/?$")) {
            // a path or a bucket in the endpoint would silently address the wrong objects
            throw r.fail("s3.endpoint", endpoint, "empty (AWS S3) or a host[:port] with an optional http:// or"
                    + " https:// and no path, e.g. http://127.0.0.1:9000");
        }
        S3 s3 = new S3(endpoint == null || endpoint.isBlank() ? Optional.empty() : Optional.of(endpoint.trim()),
                r.bool("s3.path_style_access"));
        int openN = (int) r.longAtLeast("stream.alert.n", 1);
        if (openN < stream.alertK()) {
            throw r.fail("stream.alert.n", src.raw("stream.alert.n"), "an integer >= stream.alert.k ("
                    + stream.alertK() + ")");
        }
        Incidents incidents = new Incidents(openN, (int) r.longAtLeast("stream.alert.close_after", 1),
                (int) r.longAtLeast("stream.alert.gate_channels", 0), r.fraction("stream.alert.min_class_confidence"),
                r.fraction("stream.alert.unknown_anomaly_fraction"), r.nonNegative("stream.alert.moving_min_channels"),
                blankToEmpty(src.raw("stream.alert.stationary_classes")).isEmpty() ? List.of()
                        : r.list("stream.alert.stationary_classes"), r.nonNegative("stream.alert.split_class_share"),
                r.nonNegative("evaluate.collar_seconds"),
                r.nonNegative("evaluate.tolerance_channels"));
        String master = src.raw("spark.master");
        return new FosmConfig(profile, root, absolute(r.nonEmpty("landing.path")), absolute(r.nonEmpty("labels.path")),
                master == null || master.isBlank() ? Optional.empty() : Optional.of(master),
                (int) r.longAtLeast("spark.shuffle_partitions", 1), r.positive("record.chunk_seconds"),
                java.util.Collections.unmodifiableMap(fibers), silver, gold, mlflow, train, promote, metrics,
                java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(kafkaOptions)), stream, drift, s3, incidents);
    }

    private static Drift drift(Reader r) {
        int bins = (int) r.longAtLeast("drift.bins", 2);
        if (bins > 100) {
            throw r.fail("drift.bins", String.valueOf(bins), "an integer between 2 and 100");
        }
        long sample = r.longAtLeast("drift.sample_size", 10);
        if (sample > 10_000) {
            // beyond it ks_2samp's p-value is no longer exact, and the sample is collected to the driver
            throw r.fail("drift.sample_size", String.valueOf(sample), "an integer between 10 and 10000");
        }
        return new Drift(bins, (int) sample, r.positive("drift.report_window_seconds"),
                r.positive("drift.psi_threshold"), r.fraction("drift.js_threshold"), r.fraction("drift.ks_pvalue"),
                r.fraction("drift.ks_statistic"), r.fraction("drift.feature_fraction"),
                r.fraction("drift.max_invalid_rate_increase"), r.fraction("drift.max_dead_channel_increase"),
                r.nonNegative("drift.dead_channel_power"), (int) r.longAtLeast("drift.retrain_after", 1),
                absolute(r.nonEmpty("drift.output")));
    }

    /**
     * A path without a scheme is made absolute against the working directory, so the driver and executors of a
     * cluster (whose working directories differ) agree on it; URIs (s3a://, hdfs://, file:) are kept as they are.
     */
    static String absolute(String path) {
        if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return path;
        }
        return Path.of(path).toAbsolutePath().normalize().toString();
    }

    /** train.anomaly_false_positive_rate: strictly between 0 and 1 (a threshold at rate 0 or 1 means nothing). */
    private static double anomalyFalsePositiveRate(Reader r) {
        double v = r.fraction("train.anomaly_false_positive_rate");
        if (v <= 0 || v >= 1) {
            throw r.fail("train.anomaly_false_positive_rate", String.valueOf(v), "a fraction strictly between 0 and 1");
        }
        return v;
    }

    /**
     * train.heldout_fibers: registered fiber ids, not every registered fiber (training needs one to learn from).
     * Whether each has labelled gold rows is only known to the training itself (io.fosm.models.Training).
     */
    private static List<String> heldoutFibers(Reader r, ConfigSources src, Map<String, FiberSpec> fibers) {
        String raw = src.raw("train.heldout_fibers");
        if (blankToEmpty(raw).isEmpty()) {
            return List.of();
        }
        List<String> ids = r.list("train.heldout_fibers");
        for (String id : ids) {
            if (!fibers.containsKey(id)) {
                throw r.fail("train.heldout_fibers", raw, "registered fiber ids (config key fibers: "
                        + String.join(",", fibers.keySet()) + "); '" + id + "' is not one");
            }
        }
        if (new java.util.HashSet<>(ids).containsAll(fibers.keySet())) {
            throw r.fail("train.heldout_fibers", raw, "some of the registered fibers, not all of them ("
                    + String.join(",", fibers.keySet()) + "): training needs a fiber to learn from");
        }
        return List.copyOf(new java.util.LinkedHashSet<>(ids));
    }

    private static String blankToEmpty(String v) {
        return v == null ? "" : v.trim();
    }

    /** The registered fiber, or an error naming the registry when it is not there. */
    public FiberSpec fiber(String fiberId) {
        FiberSpec f = fibers.get(fiberId);
        if (f == null) {
            throw new ConfigException("Unknown fiber '" + fiberId + "': not in the fiber registry (config key fibers: "
                    + String.join(",", fibers.keySet()) + ")");
        }
        return f;
    }

    /** The path of a lakehouse table under the root. */
    public String tablePath(String relative) {
        return lakehouseRoot.endsWith("/") ? lakehouseRoot + relative : lakehouseRoot + "/" + relative;
    }

    /** Reads typed values; every failure names the key, its origin and the expectation. */
    private record Reader(ConfigSources src) {
        String nonEmpty(String key) {
            String v = src.raw(key);
            if (v == null || v.isBlank()) {
                throw fail(key, v, "a non-empty value");
            }
            return v;
        }

        double positive(String key) {
            double v = number(key, "a positive number");
            if (!(v > 0) || Double.isInfinite(v)) {
                throw fail(key, src.raw(key), "a positive number");
            }
            return v;
        }

        double nonNegative(String key) {
            double v = number(key, "a number >= 0");
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw fail(key, src.raw(key), "a number >= 0");
            }
            return v;
        }

        boolean bool(String key) {
            String v = src.raw(key);
            if ("true".equals(v) || "false".equals(v)) {
                return Boolean.parseBoolean(v);
            }
            throw fail(key, v, "true or false");
        }

        double fraction(String key) {
            double v = number(key, "a fraction between 0 and 1");
            if (!(v >= 0 && v <= 1)) {
                throw fail(key, src.raw(key), "a fraction between 0 and 1");
            }
            return v;
        }

        long longAtLeast(String key, long min) {
            String v = src.raw(key);
            try {
                long n = Long.parseLong(v == null ? "" : v.trim());
                if (n < min) {
                    throw fail(key, v, "an integer >= " + min);
                }
                return n;
            } catch (NumberFormatException e) {
                throw fail(key, v, "an integer >= " + min);
            }
        }

        long longBetween(String key, long min, long max) {
            long n = longAtLeast(key, min);
            if (n > max) {
                throw fail(key, src.raw(key), "an integer between " + min + " and " + max);
            }
            return n;
        }

        List<Double> ascendingPositive(String key) {
            List<Double> out = new ArrayList<>();
            for (String s : list(key)) {
                double v;
                try {
                    v = Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw fail(key, src.raw(key), "ascending positive numbers, e.g. 0.5,1,5 (bad number '" + s + "')");
                }
                if (!(v > 0) || Double.isInfinite(v) || (!out.isEmpty() && v <= out.get(out.size() - 1))) {
                    throw fail(key, src.raw(key), "ascending positive numbers, e.g. 0.5,1,5 (bad number '" + s + "')");
                }
                out.add(v);
            }
            return List.copyOf(out);
        }

        double number(String key, String expected) {
            String v = src.raw(key);
            try {
                return Double.parseDouble(v == null ? "" : v.trim());
            } catch (NumberFormatException e) {
                throw fail(key, v, expected);
            }
        }

        Instant instant(String key) {
            String v = src.raw(key);
            try {
                return Instant.parse(v == null ? "" : v.trim());
            } catch (DateTimeParseException e) {
                throw fail(key, v, "an ISO-8601 UTC instant like 2000-01-01T00:00:00Z");
            }
        }

        List<String> list(String key) {
            List<String> out = new ArrayList<>();
            for (String s : nonEmpty(key).split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
            return out;
        }

        List<double[]> bands(String key) {
            List<double[]> out = new ArrayList<>();
            for (String band : list(key)) {
                String[] lh = band.split("-");
                try {
                    double lo = Double.parseDouble(lh[0].trim());
                    double hi = Double.parseDouble(lh[1].trim());
                    if (lh.length != 2 || !(lo >= 0) || !(hi > lo)) {
                        throw fail(key, src.raw(key), "bands as low-high Hz pairs with 0 <= low < high, e.g. 1-10,10-50 (bad band '" + band + "')");
                    }
                    out.add(new double[] {lo, hi});
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    throw fail(key, src.raw(key), "bands as low-high Hz pairs, e.g. 1-10,10-50 (bad band '" + band + "')");
                }
            }
            return out;
        }

        FiberSpec fiber(String id, double goldWindow, double goldHop) {
            String prefix = "fiber." + id + ".";
            if (src.raw(prefix + "channels") == null) {
                throw new ConfigException("Invalid fibers (from " + src.origin("fibers") + "): fiber '" + id
                        + "' is listed but " + prefix + "channels is not set");
            }
            int channels = (int) longAtLeast(prefix + "channels", 1);
            double fs = src.raw(prefix + "sample_rate") == null ? 1000.0 : positive(prefix + "sample_rate");
            double spacing = src.raw(prefix + "spacing_m") == null ? 1.0 : positive(prefix + "spacing_m");
            int firstChannel = 0;
            if (!blank(prefix + "first_channel")) {
                try {
                    firstChannel = Integer.parseInt(src.raw(prefix + "first_channel").trim());
                } catch (NumberFormatException e) {
                    throw fail(prefix + "first_channel", src.raw(prefix + "first_channel"),
                            "an integer channel index (may be negative, e.g. PRODML's StartLocusIndex)");
                }
            }
            double window = blank(prefix + "window_seconds") ? goldWindow : positive(prefix + "window_seconds");
            double hop = blank(prefix + "hop_seconds") ? goldHop : positive(prefix + "hop_seconds");
            if (hop > window) {
                throw fail(prefix + "hop_seconds", String.valueOf(hop), "a hop no longer than the fiber's window of "
                        + window + " s");
            }
            if (Math.round(window * fs) < 64) {
                throw fail(blank(prefix + "window_seconds") ? "gold.window_seconds" : prefix + "window_seconds",
                        String.valueOf(window), "a window of at least 64 samples at fiber " + id + "'s " + fs + " Hz");
            }
            String bandsKey = blank(prefix + "bands") ? "gold.bands" : prefix + "bands";
            List<double[]> bands = bands(bandsKey);
            for (double[] b : bands) {
                if (b[1] > fs / 2) {
                    // a band above Nyquist would silently become another band: refuse it, naming fiber and band
                    throw new ConfigException("Invalid " + bandsKey + " (from " + src.origin(bandsKey) + "): band "
                            + hz(b[0]) + "-" + hz(b[1]) + " Hz is above the Nyquist frequency " + hz(fs / 2)
                            + " Hz of fiber " + id + " (" + prefix + "sample_rate " + hz(fs) + "); expected bands ending"
                            + " at or below " + hz(fs / 2) + " Hz" + (bandsKey.equals("gold.bands")
                            ? " (give the fiber its own bands with " + prefix + "bands)" : ""));
                }
            }
            String route = blank(prefix + "route") ? null : absolute(src.raw(prefix + "route").trim());
            FiberSpec.BandpassSpec bandpass = null;
            String bp = src.raw(prefix + "filter.bandpass");
            if (bp != null && !bp.isBlank()) {
                String[] p = bp.split(",");
                try {
                    double lo = Double.parseDouble(p[0].trim());
                    double hi = Double.parseDouble(p[1].trim());
                    int order = p.length > 2 ? Integer.parseInt(p[2].trim()) : 4;
                    if (p.length > 3 || !(lo > 0) || !(hi > lo) || hi >= fs / 2 || order < 1 || order > 10) {
                        throw new NumberFormatException();
                    }
                    bandpass = new FiberSpec.BandpassSpec(lo, hi, order);
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    throw fail(prefix + "filter.bandpass", bp,
                            "low,high[,order] in Hz with 0 < low < high < " + fs / 2 + " (Nyquist) and order 1..10");
                }
            }
            FiberSpec.SavgolSpec savgol = null;
            String sg = src.raw(prefix + "filter.savgol");
            if (sg != null && !sg.isBlank()) {
                String[] p = sg.split(",");
                try {
                    int w = Integer.parseInt(p[0].trim());
                    int order = Integer.parseInt(p[1].trim());
                    if (p.length != 2 || w < 3 || w % 2 == 0 || order < 0 || order >= w) {
                        throw new NumberFormatException();
                    }
                    savgol = new FiberSpec.SavgolSpec(w, order);
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                    throw fail(prefix + "filter.savgol", sg, "window,polyorder with an odd window >= 3 and polyorder < window");
                }
            }
            return new FiberSpec(id, channels, fs, spacing, bandpass, savgol, firstChannel, List.copyOf(bands),
                    window, hop, route);
        }

        static String hz(double v) {
            return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        }

        boolean blank(String key) {
            String v = src.raw(key);
            return v == null || v.isBlank();
        }

        ConfigException fail(String key, String value, String expected) {
            return new ConfigException("Invalid " + key + " (from " + src.origin(key) + "): expected " + expected
                    + ", got '" + (value == null ? "" : value) + "'");
        }
    }
}
