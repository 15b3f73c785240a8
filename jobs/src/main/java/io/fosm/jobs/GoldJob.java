package io.fosm.jobs;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Gold;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/** {@code fosm gold}: windowed features; see {@link Gold}. */
final class GoldJob {
    private GoldJob() {}

    static int run(SparkSession spark, FosmConfig config, Optional<LocalDate> date) {
        long t0 = System.nanoTime();
        Gold.Result r = Gold.run(spark, config, date);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String labels = r.labelled() ? String.format(" (%d with label_ambiguous: near an event's edge or under two"
                + " event classes)", r.ambiguousWindows()) : " (no event log: unlabelled)";
        System.out.printf("gold: %d windows %s%s in %.1f s (%.0f windows/s, ~%.0f samples/s)%n", r.windows(),
                r.windowsByLabel(), labels, seconds, r.windows() / seconds, r.samplesAdvanced() / seconds);
        return 0;
    }
}
