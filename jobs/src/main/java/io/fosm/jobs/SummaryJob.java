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

    /** "km 3.214" from a chainage column in metres; "off route" when null. */
    static org.apache.spark.sql.Column kmOf(org.apache.spark.sql.Column chainageM) {
        return org.apache.spark.sql.functions.when(chainageM.isNull(), org.apache.spark.sql.functions.lit("off route"))
                .otherwise(org.apache.spark.sql.functions.concat(org.apache.spark.sql.functions.lit("km "),
                        org.apache.spark.sql.functions.regexp_replace(org.apache.spark.sql.functions.format_number(
                                chainageM.divide(1000), 3), ",", "")));
    }

    private static org.apache.spark.sql.Column km(Dataset<Row> incidents) {
        return java.util.Arrays.asList(incidents.columns()).contains(CHAINAGE_M) ? kmOf(col(CHAINAGE_M))
                : org.apache.spark.sql.functions.lit("");
    }

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
            // one version per table: the count, the breakdowns and the printed version describe the same snapshot
            Delta.Pinned pinned = Delta.pinned(spark, table.tableName(), path);
            Dataset<Row> df = pinned.rows();
            System.out.printf("  %-18s %,10d rows  (Delta version %d)%n", table.tableName(), df.count(),
                    pinned.version());
            // the input versions the job that wrote this version read (silver, gold, gold_predictions)
            Delta.lastCommitMetadata(spark, path).ifPresent(m -> System.out.println("      written from " + m));
            if (table == Tables.BRONZE_QUARANTINE || table == Tables.SILVER_QUARANTINE
                    || table == Tables.STREAM_DEAD_LETTER) {
                for (Row r : df.groupBy(REASON).count().orderBy(col("count").desc()).collectAsList()) {
                    System.out.printf("      %-22s %,8d%n", r.getString(0), r.getLong(1));
                }
            }
            if (table == Tables.INCIDENTS) {
                System.out.println("    incidents, latest state of each (where: chainage of the peak channel along the"
                        + " pipeline; location in metres along the fiber):");
                System.out.println(io.fosm.incidents.IncidentRows.latest(df).orderBy(START_TIME)
                        .select(col(INCIDENT_ID), col(STATUS), col(EVENT_CLASS), col(FIBER_ID), km(df).as("where"),
                                col(LOCATION_M), col(LOCATION_START_M), col(LOCATION_END_M), col(SPEED_MPS),
                                col(DIRECTION), col(START_TIME), col(END_TIME), col(CLASS_CONFIDENCE))
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
            if (table == Tables.BRONZE_FILES) {
                System.out.println("    files by fiber and format (boundary anomalies: overlap, contained, gap, layout_change):");
                System.out.println(df.groupBy(FIBER_ID, FORMAT, VENDOR, SAMPLE_RATE, UNIT)
                        .agg(org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)).as("files"),
                                org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.when(
                                        col(BOUNDARY).isin("overlap", "contained", "gap", "layout_change"), 1L)
                                        .otherwise(0L)).as("anomalies"),
                                org.apache.spark.sql.functions.min(FIRST_CHANNEL).as(FIRST_CHANNEL),
                                org.apache.spark.sql.functions.max(LAST_CHANNEL).as(LAST_CHANNEL))
                        .orderBy(FIBER_ID, FORMAT).showString(20, 0, false));
            }
            if (table == Tables.GOLD_FEATURES && java.util.Arrays.asList(df.columns()).contains(CHAINAGE_M)) {
                System.out.println("    windows by fiber, along the pipeline (chainage of the first and last channel):");
                System.out.println(df.groupBy(FIBER_ID).agg(
                                org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)).as("windows"),
                                org.apache.spark.sql.functions.first(SAMPLE_RATE).as(SAMPLE_RATE),
                                org.apache.spark.sql.functions.count(col(LABEL)).as("labelled"),
                                kmOf(org.apache.spark.sql.functions.min(CHAINAGE_M)).as("from"),
                                kmOf(org.apache.spark.sql.functions.max(CHAINAGE_M)).as("to"))
                        .orderBy(FIBER_ID).showString(20, 0, false));
            }
            if (table == Tables.GOLD_PREDICTIONS && java.util.Arrays.asList(df.columns()).contains(CHAINAGE_M)) {
                System.out.println("    predicted events by fiber and class (where: chainage of the most confident window):");
                System.out.println(df.filter(col("predicted_label").notEqual(BACKGROUND))
                        .groupBy(col(FIBER_ID), col("predicted_label"))
                        .agg(org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)).as("windows"),
                                kmOf(org.apache.spark.sql.functions.max_by(col(CHAINAGE_M), col("event_score"))).as("where"))
                        .orderBy(col(FIBER_ID), col("predicted_label")).showString(20, 0, false));
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
