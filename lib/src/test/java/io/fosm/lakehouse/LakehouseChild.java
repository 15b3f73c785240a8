package io.fosm.lakehouse;

import io.fosm.config.FosmConfig;
import io.fosm.spark.Sessions;
import java.util.Arrays;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * One lakehouse job (bronze, silver or gold) in a JVM of its own, for {@link LakehouseKillTest}: args are the job then
 * config overrides (key=value). With {@code FOSM_HALT_AT} set it halts at that point (exit 137).
 */
public final class LakehouseChild {
    private LakehouseChild() {}

    public static void main(String[] args) {
        FosmConfig config = FosmConfig.local(Arrays.copyOfRange(args, 1, args.length));
        SparkSession spark = Sessions.open(config, "fosm-lakehouse-child");
        spark.conf().set("spark.sql.shuffle.partitions", "2");
        spark.sparkContext().setLogLevel("WARN");
        switch (args[0]) {
            case "bronze" -> Bronze.run(spark, config);
            case "silver" -> Silver.run(spark, config, Optional.empty());
            case "gold" -> Gold.run(spark, config, Optional.empty());
            default -> throw new IllegalArgumentException("unknown job " + args[0]);
        }
        spark.stop();
        System.exit(0);
    }
}
