package io.fosm.lakehouse;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.SparkSession;

/** Small helpers over Delta's API. */
public final class Delta {
    private Delta() {}

    /** Whether a Delta table exists at the path. */
    public static boolean exists(SparkSession spark, String path) {
        return DeltaTable.isDeltaTable(spark, path);
    }

    /** The latest version of the table at the path, or -1 when there is none. */
    public static long version(SparkSession spark, String path) {
        if (!exists(spark, path)) {
            return -1;
        }
        return DeltaTable.forPath(spark, path).history(1).select("version").head().getLong(0);
    }
}
