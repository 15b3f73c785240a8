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
     * A lakehouse of two fibers, built on first use: the small one's fiber (demo, seed 5, 32 channels x 240 s) and a
     * small fiber of another seed ({@link #HELD_OUT_FIBER}, over the same first minute), for training with
     * {@code train.heldout_fibers}. Its config carries {@link #twoFiberRegistry()}.
     */
    public static synchronized FosmConfig withHeldOutFiber() {
        if (twoFibers == null) {
            try {
                SparkSession spark = SparkTestSession.get();
                FosmConfig c = SparkTestSession.lakehouse("labelled-two-fibers", twoFiberRegistry());
                generate(c, "demo", CHANNELS, SECONDS, SEED);
                generate(c, HELD_OUT_FIBER, 16, 60, HELD_OUT_SEED);
                process(spark, c, "labelled-two-fibers");
                twoFibers = c;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return twoFibers;
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
