package io.fosm.lakehouse;

import io.delta.tables.DeltaTable;
import io.fosm.config.FosmConfig;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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

    /**
     * Replaces what a run is responsible for: the whole table when it processed everything, else exactly the
     * {@code event_date} it processed ({@code replaceWhere}). Unlike dynamic partition overwrite, a partition for which
     * the run produced no rows is emptied too, so a rerun never leaves stale rows behind.
     */
    public static void replace(Dataset<Row> data, String path, Optional<LocalDate> date, String... partitionColumns) {
        DataFrameWriter<Row> writer = data.write().format("delta").mode("overwrite").partitionBy(partitionColumns);
        if (date.isPresent()) {
            // new feature columns may arrive with a new release: add them, keep the other dates' rows
            writer = writer.option("replaceWhere", Columns.EVENT_DATE + " = DATE'" + date.get() + "'")
                    .option("mergeSchema", "true");
        } else {
            // a full rebuild defines the schema anew
            writer = writer.option("overwriteSchema", "true");
        }
        writer.save(path);
    }

    /**
     * Reads a job's input table, one {@code event_date} when {@code date} is present. A missing table is a clear error:
     * "Cannot run gold: no silver_chunks table at PATH (run `fosm silver` first)".
     */
    public static Dataset<Row> readInput(SparkSession spark, FosmConfig config, Tables table, Optional<LocalDate> date,
                                         String job, String producer) {
        String path = table.path(config);
        if (!exists(spark, path)) {
            throw new IllegalStateException("Cannot run " + job + ": no " + table.tableName() + " table at " + path
                    + " (run `fosm " + producer + "` first)");
        }
        return onDate(spark.read().format("delta").load(path), date);
    }

    /** The rows of one {@code event_date} when {@code date} is present, else all rows. */
    public static Dataset<Row> onDate(Dataset<Row> rows, Optional<LocalDate> date) {
        return date.map(d -> rows.filter(org.apache.spark.sql.functions.col(Columns.EVENT_DATE)
                .equalTo(org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(d))))).orElse(rows);
    }
}
