package io.fosm.testing;

import io.fosm.config.FosmConfig;
import io.fosm.generate.FiberSimulator;
import io.fosm.generate.GeneratorConfig;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Gold;
import io.fosm.lakehouse.Silver;
import io.fosm.lakehouse.Tables;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Labelled lakehouses built once per test JVM the way production builds them: a fixed-seed synthetic fiber
 * (generator), then bronze, silver and gold. Model tests train on their gold_features: the small one ({@link #get()},
 * 32 channels x 240 s) for everything that needs labelled rows, the long one ({@link #longFiber()}, 64 channels x
 * 20 min) only for the quality regression, whose held-out range must hold several events of every class.
 */
public final class LabelledLakehouse {
    public static final int CHANNELS = 32;
    public static final double SECONDS = 240;
    public static final long SEED = 5;
    public static final int LONG_CHANNELS = 64;
    public static final double LONG_SECONDS = 1200;
    public static final long LONG_SEED = 11;
    private static FosmConfig config;
    private static FosmConfig longConfig;

    private LabelledLakehouse() {}

    /** The config of the small lakehouse, building it on first use. */
    public static synchronized FosmConfig get() {
        if (config == null) {
            config = build("labelled", CHANNELS, SECONDS, SEED);
        }
        return config;
    }

    /** The config of the long lakehouse, building it on first use (about three minutes at local[2]). */
    public static synchronized FosmConfig longFiber() {
        if (longConfig == null) {
            longConfig = build("labelled-long", LONG_CHANNELS, LONG_SECONDS, LONG_SEED);
        }
        return longConfig;
    }

    /**
     * A lakehouse of a fiber generated with {@code seed}, which no other test trains on (held-out evaluation), built
     * on first use per seed: {@code channels} x {@code seconds}, the small fiber's event rate.
     */
    public static synchronized FosmConfig heldOut(long seed, int channels, double seconds) {
        return HELD_OUT.computeIfAbsent(seed + "/" + channels + "/" + seconds,
                k -> build("held-out-" + seed, channels, seconds, seed));
    }

    private static final java.util.Map<String, FosmConfig> HELD_OUT = new java.util.HashMap<>();

    /** The second fiber of {@link #withHeldOutFiber()}: 16 channels x 60 s of seed {@value #HELD_OUT_SEED}. */
    public static final String HELD_OUT_FIBER = "demo-h";
    public static final long HELD_OUT_SEED = 77;
    private static FosmConfig twoFibers;

    /** The fiber registry of {@link #withHeldOutFiber()}: the local profile's fibers and {@link #HELD_OUT_FIBER}. */
    public static String[] twoFiberRegistry() {
        return new String[] {"fibers=fiber-1,demo," + HELD_OUT_FIBER, "fiber." + HELD_OUT_FIBER + ".channels=16",
                "fiber." + HELD_OUT_FIBER + ".sample_rate=1000", "fiber." + HELD_OUT_FIBER + ".spacing_m=1.0"};
    }

    /**
     * A lakehouse of two fibers, built on first use: the small lakehouse's gold_features and event log ({@link #get()}:
     * demo, seed 5, 32 channels x 240 s), copied, plus a small fiber of another seed ({@link #HELD_OUT_FIBER}, over
     * the same first minute) run through its own bronze, silver and gold and appended, for training with
     * {@code train.heldout_fibers}. Its config carries {@link #twoFiberRegistry()}. Copying rather than rebuilding
     * the small fiber saves a minute of the suite; each fiber's gold rows are the pipeline's own either way (gold
     * computes every fiber on its own: the spatial context never crosses fibers).
     */
    public static synchronized FosmConfig withHeldOutFiber() {
        if (twoFibers == null) {
            try {
                SparkSession spark = SparkTestSession.get();
                FosmConfig small = get();
                FosmConfig h = SparkTestSession.lakehouse("held-out-fiber", twoFiberRegistry());
                generate(h, HELD_OUT_FIBER, 16, 60, HELD_OUT_SEED);
                process(spark, h, "held-out-fiber");
                FosmConfig c = SparkTestSession.lakehouse("labelled-two-fibers", twoFiberRegistry());
                copy(java.nio.file.Path.of(Tables.GOLD_FEATURES.path(small)),
                        java.nio.file.Path.of(Tables.GOLD_FEATURES.path(c)));
                copy(java.nio.file.Path.of(small.labelsPath()), java.nio.file.Path.of(c.labelsPath()));
                copy(java.nio.file.Path.of(h.labelsPath()), java.nio.file.Path.of(c.labelsPath()));
                gold(h).write().format("delta").mode("append").save(Tables.GOLD_FEATURES.path(c));
                twoFibers = c;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return twoFibers;
    }

    private static void copy(java.nio.file.Path from, java.nio.file.Path to) throws java.io.IOException {
        try (var walk = java.nio.file.Files.walk(from)) {
            for (java.nio.file.Path p : walk.toList()) {
                java.nio.file.Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else if (!java.nio.file.Files.exists(target)) {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
    }

    private static void generate(FosmConfig c, String fiberId, int channels, double seconds, long seed)
            throws java.io.IOException {
        new FiberSimulator(GeneratorConfig.builder().output(c.lakehouseRoot()).fiberId(fiberId)
                .channels(channels).durationSeconds(seconds).seed(seed).eventRatePerMinute(8).build()).run();
    }

    private static void process(SparkSession spark, FosmConfig c, String name) {
        Bronze.run(spark, c);
        if (!Silver.run(spark, c, Optional.empty()).published()) {
            throw new IllegalStateException("the " + name + " lakehouse's silver batch was not published");
        }
        Gold.run(spark, c, Optional.empty());
    }

    /** Its gold_features. */
    public static Dataset<Row> gold() {
        return gold(get());
    }

    /** The gold_features of a lakehouse built here. */
    public static Dataset<Row> gold(FosmConfig lakehouse) {
        return SparkTestSession.get().read().format("delta").load(Tables.GOLD_FEATURES.path(lakehouse));
    }

    private static FosmConfig build(String name, int channels, double seconds, long seed) {
        try {
            SparkSession spark = SparkTestSession.get();
            FosmConfig c = SparkTestSession.lakehouse(name);
            generate(c, "demo", channels, seconds, seed);
            process(spark, c, name);
            return c;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
