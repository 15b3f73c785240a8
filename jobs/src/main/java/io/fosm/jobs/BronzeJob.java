package io.fosm.jobs;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Bronze;
import org.apache.spark.sql.SparkSession;

/** {@code fosm bronze}: lands new landing files (FOSF and interrogator formats); see {@link Bronze}. */
final class BronzeJob {
    private BronzeJob() {}

    static int run(SparkSession spark, FosmConfig config) {
        long t0 = System.nanoTime();
        Bronze.Result r = Bronze.run(spark, config);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("bronze: %d files listed, %d new, %d records (%d samples) landed, %d files quarantined"
                + " in %.1f s (%.0f samples/s)%n", r.filesListed(), r.filesNew(), r.records(), r.samples(),
                r.filesQuarantined(), seconds, r.samples() / seconds);
        if (r.interrogatorFiles() > 0) {
            System.out.printf("bronze: %d interrogator files in %d continuous recordings, %d boundary anomalies"
                    + " (bronze_files.boundary)%n", r.interrogatorFiles(), r.recordingRuns(), r.anomalies().size());
        }
        for (String anomaly : r.anomalies()) {
            System.out.println("bronze: boundary " + anomaly);
        }
        return 0;
    }
}
