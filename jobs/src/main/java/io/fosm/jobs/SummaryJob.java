package io.fosm.jobs;

import static io.fosm.lakehouse.Columns.*;
import static org.apache.spark.sql.functions.col;

import io.fosm.config.FosmConfig;
import io.fosm.lakehouse.Delta;
import io.fosm.lakehouse.Tables;
import io.fosm.spark.Sessions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code fosm summary}: rows per table, quarantined and dead-lettered rows by reason, a few gold feature rows, the
 * stream's incidents and the drift report windows.
 */
final class SummaryJob {
    private SummaryJob() {}

    static int run(SparkSession spark, FosmConfig config) {
        Sessions.describe(spark, "fosm-summary", "summary: count tables");
        System.out.println("lakehouse " + config.lakehouseRoot());
        for (Tables table : Tables.values()) {
            String path = table.path(config);
            if (table == Tables.SILVER_STAGING) {
                continue;
            }
            if (!Delta.exists(spark, path)) {
                System.out.printf("  %-18s (not created yet)%n", table.tableName());
                continue;
            }
            Dataset<Row> df = spark.read().format("delta").load(path);
            System.out.printf("  %-18s %,10d rows  (Delta version %d)%n", table.tableName(), df.count(),
                    Delta.version(spark, path));
            if (table == Tables.BRONZE_QUARANTINE || table == Tables.SILVER_QUARANTINE
                    || table == Tables.STREAM_DEAD_LETTER) {
                for (Row r : df.groupBy(REASON).count().orderBy(col("count").desc()).collectAsList()) {
                    System.out.printf("      %-22s %,8d%n", r.getString(0), r.getLong(1));
                }
            }
            if (table == Tables.INCIDENTS) {
                System.out.println("    incidents, latest state of each (location in metres along the fiber):");
                System.out.println(io.fosm.incidents.IncidentRows.latest(df).orderBy(START_TIME)
                        .select(col(INCIDENT_ID), col(STATUS), col(EVENT_CLASS), col(FIBER_ID), col(LOCATION_M),
                                col(LOCATION_START_M), col(LOCATION_END_M), col(SPEED_MPS), col(DIRECTION),
                                col(START_TIME), col(END_TIME), col(CLASS_CONFIDENCE))
                        .showString(20, 0, false));
            }
            if (table == Tables.DRIFT_REPORTS) {
                Row windows = df.groupBy(REPORT_START).agg(org.apache.spark.sql.functions.max(col(WINDOW_DRIFTED))
                                .as("drifted"))
                        .agg(org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)),
                                org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.when(col("drifted"), 1L)
                                        .otherwise(0L)))
                        .head();
                System.out.printf("    report windows %d, drifted %d; reports and the scheduler's flag file: %s/%n",
                        windows.getLong(0), windows.isNullAt(1) ? 0 : windows.getLong(1), config.drift().output());
            }
            if (table == Tables.GOLD_FEATURES) {
                System.out.println("    windows by label:");
                for (Row r : df.groupBy(LABEL).count().orderBy(LABEL).collectAsList()) {
                    System.out.printf("      %-22s %,8d%n", r.isNullAt(0) ? "(unlabelled)" : r.getString(0), r.getLong(1));
                }
                System.out.println("    a few feature rows (one per label):");
                Dataset<Row> sample = df.filter(col(LABEL).isNotNull())
                        .withColumn("_r", org.apache.spark.sql.functions.row_number().over(
                                org.apache.spark.sql.expressions.Window.partitionBy(LABEL).orderBy(col("total_power").desc())))
                        .filter(col("_r").equalTo(1))
                        .select(col(LABEL), col(CHANNEL), col(WINDOW_START), col("rms"), col("dominant_frequency"),
                                col("spectral_centroid"), col("spectral_flatness"), col("kurtosis"), col(SPATIAL_POWER_RATIO));
                System.out.println(sample.showString(10, 0, false));
            }
        }
        return 0;
    }
}
