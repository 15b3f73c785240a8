package io.fosm.drift;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.fosm.config.FosmConfig;
import io.fosm.generate.DriftMode;
import io.fosm.generate.FiberSimulator;
import io.fosm.generate.GeneratorConfig;
import io.fosm.lakehouse.Bronze;
import io.fosm.lakehouse.Columns;
import io.fosm.lakehouse.Gold;
import io.fosm.lakehouse.Silver;
import io.fosm.lakehouse.Tables;
import io.fosm.testing.SparkTestSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Generated fibers (each with its own seed, so its own layout and events, optionally drifting from {@code onset}
 * seconds on) in ONE lakehouse taken through bronze, silver and gold once: the pipeline's fixed costs are paid once.
 */
final class DriftLakehouse {
    private DriftLakehouse() {}

    /** One fiber of the lakehouse. */
    record Fiber(String id, long seed, DriftMode mode) {}

    static FosmConfig build(String name, int channels, double seconds, double onset, List<Fiber> fibers) {
        try {
            SparkSession spark = SparkTestSession.get();
            List<String> overrides = new ArrayList<>();
            overrides.add("fibers=" + String.join(",", fibers.stream().map(Fiber::id).toList()));
            for (Fiber f : fibers) {
                overrides.add("fiber." + f.id() + ".channels=" + channels);
            }
            FosmConfig c = SparkTestSession.lakehouse(name, overrides.toArray(new String[0]));
            for (Fiber f : fibers) {
                GeneratorConfig.Builder b = GeneratorConfig.builder().output(c.lakehouseRoot()).fiberId(f.id())
                        .channels(channels).durationSeconds(seconds).seed(f.seed()).eventRatePerMinute(8)
                        .driftMode(f.mode());
                if (f.mode() != DriftMode.NONE) {
                    b.driftOnsetSeconds(onset);
                }
                new FiberSimulator(b.build()).run();
            }
            Bronze.run(spark, c);
            if (!Silver.run(spark, c, Optional.empty()).published()) {
                throw new IllegalStateException("the silver batch of " + name + " was not published");
            }
            Gold.run(spark, c, Optional.empty());
            return c;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Dataset<Row> gold(FosmConfig c, String fiber) {
        return SparkTestSession.get().read().format("delta").load(Tables.GOLD_FEATURES.path(c))
                .filter(col(Columns.FIBER_ID).equalTo(lit(fiber)));
    }
}
