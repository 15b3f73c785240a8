package io.fosm.jobs;

import io.fosm.cli.ExitCode;
import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Silver;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/** {@code fosm silver}: validate, audit, publish; exit code 1 when the Deequ gate refuses the batch. */
final class SilverJob {
    private SilverJob() {}

    static int run(SparkSession spark, FosmConfig config, Optional<LocalDate> date) {
        long t0 = System.nanoTime();
        Silver.Result r = Silver.run(spark, config, date);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.print(r.report().render());
        System.out.printf("silver: %d rows, %d valid (%d samples), quarantined by reason %s, %s in %.1f s"
                + " (%.0f samples/s)%n", r.rows(), r.valid(), r.validSamples(), r.quarantinedByReason(),
                r.published() ? "published" : "NOT published", seconds, r.validSamples() / seconds);
        if (!r.published()) {
            System.err.println("fosm silver: Cannot publish the batch: the Deequ gate failed:");
            r.report().failures().forEach(f -> System.err.println("  " + f.check() + ": " + f.rule() + " (measured "
                    + f.measured() + ")"));
            return ExitCode.REFUSED;
        }
        return 0;
    }
}
