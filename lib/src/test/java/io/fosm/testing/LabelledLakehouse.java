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
 * A small labelled lakehouse built once per test JVM the way production builds it: a fixed-seed synthetic fiber
 * (generator), then bronze, silver and gold. Model tests train on its gold_features.
 */
public final class LabelledLakehouse {
    public static final int CHANNELS = 32;
    public static final double SECONDS = 240;
    public static final long SEED = 5;
    private static FosmConfig config;

    private LabelledLakehouse() {}

    /** The config of the lakehouse, building it on first use. */
    public static synchronized FosmConfig get() {
        if (config == null) {
            try {
                SparkSession spark = SparkTestSession.get();
                FosmConfig c = SparkTestSession.lakehouse("labelled");
                new FiberSimulator(GeneratorConfig.builder().output(c.lakehouseRoot()).fiberId("demo")
                        .channels(CHANNELS).durationSeconds(SECONDS).seed(SEED).eventRatePerMinute(8).build()).run();
                Bronze.run(spark, c);
                if (!Silver.run(spark, c, Optional.empty()).published()) {
                    throw new IllegalStateException("the labelled lakehouse's silver batch was not published");
                }
                Gold.run(spark, c, Optional.empty());
                config = c;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return config;
    }

    /** Its gold_features. */
    public static Dataset<Row> gold() {
        return SparkTestSession.get().read().format("delta").load(Tables.GOLD_FEATURES.path(get()));
    }
}
