package io.fosm.jobs;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Bronze;
import org.apache.spark.sql.SparkSession;

/** {@code fosm bronze}: lands new chunk files; see {@link Bronze}. */
final class BronzeJob {
    private BronzeJob() {}

    static int run(SparkSession spark, FosmConfig config) {
        long t0 = System.nanoTime();
        Bronze.Result r = Bronze.run(spark, config);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("bronze: %d files listed, %d new, %d records (%d samples) landed, %d files quarantined"
                + " in %.1f s (%.0f samples/s)%n", r.filesListed(), r.filesNew(), r.records(), r.samples(),
                r.filesQuarantined(), seconds, r.samples() / seconds);
        return 0;
    }
}
